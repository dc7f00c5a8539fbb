"""Insight: handling-time figures, backlog, trends, heatmaps, exports (issue 13).

Everything here reads; only ``figures`` writes, and only its projection, in
the transaction of the action that changed the case.
"""
