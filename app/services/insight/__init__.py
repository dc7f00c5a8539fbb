"""Insight: handling-time figures, backlog, trends, heatmaps, exports (issue 13).

Everything here reads; only ``figures`` (with ``rollup``) and ``task_totals`` write, and only their
projections, in the transaction of the action that changed the case or the task.
"""
from . import task_totals  # registers the flush listener that keeps the tasks' day totals

__all__ = ["task_totals"]
