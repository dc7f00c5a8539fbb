"""Insight: handling-time figures, backlog, trends, heatmaps, exports (issue 13).

Everything here reads; only ``figures`` (with ``rollup``) and ``task_totals`` write, and only their
projections, in the transaction of the action that changed the case or the task.
"""
from . import nki, task_totals  # register the flush listeners that keep the answers' and tasks' day totals

__all__ = ["nki", "task_totals"]
