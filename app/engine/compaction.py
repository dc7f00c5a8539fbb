"""State compaction: a long-running case does not carry every completed task forever.

SpiffWorkflow keeps every task a workflow ever ran in its task tree, each with
its data (as a delta against its parent), and walks that tree on every step:
a case's state and its step cost grow with every completed task, and a
back-edge loop stalls after ~333 rounds (the tree iterator's depth limit).
SpiffWorkflow 3.2 offers nothing to drop them, so Lotsen cuts the tree itself
before a case is saved:

* the *live* tasks (not finished: ready, waiting, started, future, predicted)
  hang below one common ancestor; everything above it is finished history;
* of that history the last ``KEEP_MANUAL`` completed user tasks stay (an
  administrator can move the case back to any of them), with the task above
  the oldest as the new root; the root keeps the whole data as it was there,
  so the data the live tasks see is unchanged;
* the rest goes, with the subprocesses of call activities in it.

What the dropped tasks did stays where the case's history is kept: the audit
trail (every element completed, every form submitted) and the case's path
(``ProcessEngine.path`` keeps the steps of dropped tasks from the previous
save). A finished workflow is left as it is.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

#: Completed user tasks kept above the live ones: how far back a case can be moved.
KEEP_MANUAL = 10


def compact(wf: BpmnWorkflow, keep_manual: int | None = None) -> int:
    """Drop the finished part of ``wf``'s task tree above its live tasks; return how many tasks went.

    ``keep_manual``: completed user tasks to keep (default ``KEEP_MANUAL``).
    """
    keep_manual = KEEP_MANUAL if keep_manual is None else keep_manual
    live = [t for t in wf.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if not live:
        return 0
    root = _new_root(_common_ancestor(live), keep_manual)
    if root is wf.task_tree:
        return 0
    kept = _subtree_ids(root)
    gone = [task_id for task_id in wf.tasks if task_id not in kept]
    for task_id in gone:
        if task_id in wf.subprocesses:
            wf.delete_subprocess(wf.tasks[task_id])
    for task_id in gone:
        del wf.tasks[task_id]
    root._parent = None
    wf.task_tree = root
    if wf.last_task is not None and wf.last_task.id not in kept:
        wf.last_task = root
    return len(gone)


def _common_ancestor(tasks: list):
    """The deepest task that is an ancestor of (or one of) every task in ``tasks``."""
    chain = _ancestors(tasks[0])  # root first
    common = len(chain)
    for task in tasks[1:]:
        ids = {t.id for t in _ancestors(task)}
        while common and chain[common - 1].id not in ids:
            common -= 1
    return chain[max(common, 1) - 1]


def _ancestors(task) -> list:
    """``task`` and its ancestors, the root first."""
    found = []
    while task is not None:
        found.append(task)
        task = task.parent
    found.reverse()
    return found


def _new_root(anchor, keep_manual: int):
    """The parent of the ``keep_manual``-th completed user task above ``anchor`` (or the old root)."""
    node, seen = anchor, 0
    while node.parent is not None:
        if node.has_state(TaskState.COMPLETED) and node.task_spec.manual:
            seen += 1
            if seen >= keep_manual:
                return node.parent
        node = node.parent
    return node


def _subtree_ids(root) -> set:
    ids, stack = set(), [root]
    while stack:
        task = stack.pop()
        ids.add(task.id)
        stack.extend(task.children)
    return ids
