"""Workflows for the what-if simulation: the same engine, with cheaper walks of the task tree.

A simulated case is a real ``BpmnWorkflow`` of the real diagram. SpiffWorkflow
walks its whole task tree several times per step (every task that completes
updates every waiting task; every round of engine steps lists the ready ones),
and its iterator keeps a depth count by climbing parent chains and builds a
new list per node. That was over half of a simulation's time. Here the
iterator is replaced by a plain depth-first walk that visits the same tasks in
the same order, lazily like the original (a task's children are read when the
task is reached, so a task the caller changes on the way is treated alike):

* the depth limit (1000) is kept: within one task tree the original's depth
  count is a task's distance from where the walk started, which is what is
  counted here;
* a workflow that can run a subprocess (a call activity or an embedded
  subprocess) is not sped up: there SpiffWorkflow's depth count crosses trees
  and is not the distance any more;
* any other way of asking (breadth first, a ready-made filter, lanes, events)
  goes to SpiffWorkflow's own iterator.

Finished history is dropped as a case goes on, which keeps the tree, and so
every walk, short: the finished top of the tree (``drop_history``), and
finished tasks in the middle of a chain whose child finished too
(``splice_history``; a live task keeps its parent, a boundary-event split
stays). Nothing here is used for persisted cases.
"""
from __future__ import annotations

from collections.abc import Iterator

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.util.task import TaskState

from . import compaction
from .runtime import ProcessEngine

#: SpiffWorkflow's depth limit of its task iterator.
MAX_DEPTH = 1000
#: The filters the plain walk understands (anything else: SpiffWorkflow's iterator).
PLAIN = frozenset({"state", "manual", "spec_name", "spec_class", "end_at_spec", "max_depth"})


def can_run_subprocess(spec) -> bool:
    return any(isinstance(task_spec, SubWorkflowTask) for task_spec in spec.task_specs.values())


def _min_state(state: int) -> int:
    """Below which state the original iterator does not look at a task's children (as SpiffWorkflow decides)."""
    if state & TaskState.PREDICTED_MASK:
        return TaskState.MAYBE
    if state & TaskState.DEFINITE_MASK:
        return TaskState.FUTURE
    return TaskState.COMPLETED


def walk(first, state: int = TaskState.ANY_MASK, manual=None, spec_name=None, spec_class=None,
         end_at_spec=None, max_depth: int = MAX_DEPTH) -> Iterator:
    """The tasks from ``first`` down that match, depth first, children in order, as ``TaskIterator`` gives them
    within one task tree."""
    tasks = first.workflow.tasks
    if len(tasks) > max_depth:  # the depth limit may be reached: count it
        yield from _counted_walk(first, state, manual, spec_name, spec_class, end_at_spec, max_depth)
        return
    # A task's depth below ``first`` is less than the number of tasks, so here the limit is never reached.
    min_state = _min_state(state)
    plain = manual is None and spec_name is None and spec_class is None
    get = tasks.get
    stack = [first]
    pop, push = stack.pop, stack.append
    while stack:
        task = pop()
        if task._children and task._state >= min_state and task.task_spec.name != end_at_spec:
            for child in reversed(task._children):
                push(get(child))
        if task._state & state and (plain or _matches(task.task_spec, manual, spec_name, spec_class)):
            yield task


def _matches(spec, manual, spec_name, spec_class) -> bool:
    return ((manual is None or spec.manual == manual) and (spec_name is None or spec.name == spec_name)
            and (spec_class is None or isinstance(spec, spec_class)))


def _counted_walk(first, state, manual, spec_name, spec_class, end_at_spec, max_depth) -> Iterator:
    """``walk`` keeping each task's depth below ``first``, for trees where the depth limit may be reached."""
    min_state = _min_state(state)
    tasks = first.workflow.tasks
    stack = [(first, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        task, depth = pop()
        if (task._children and task._state >= min_state and depth < max_depth
                and task.task_spec.name != end_at_spec):
            for child in reversed(task._children):
                push((tasks.get(child), depth + 1))
        if task._state & state and _matches(task.task_spec, manual, spec_name, spec_class):
            yield task


class SimulatedWorkflow(BpmnWorkflow):
    """A ``BpmnWorkflow`` whose task-tree walks are the plain walk (only for specs without subprocesses)."""

    def get_tasks_iterator(self, first_task=None, **kwargs):
        if kwargs.keys() <= PLAIN:
            return walk(first_task or self.task_tree, **kwargs)
        return super().get_tasks_iterator(first_task, **kwargs)

    def update_waiting_tasks(self) -> None:
        for task in walk(self.task_tree, state=TaskState.WAITING):
            task.task_spec._update(task)


def workflow_class(spec) -> type[BpmnWorkflow]:
    """``SimulatedWorkflow`` where its walk is the original's; plain ``BpmnWorkflow`` where it might not be."""
    return BpmnWorkflow if can_run_subprocess(spec) else SimulatedWorkflow


class SimulatedEngine(ProcessEngine):
    """The engine façade, starting ``SimulatedWorkflow``s where that is the same as SpiffWorkflow's own."""

    def new(self, version_id: int, data, context_for) -> BpmnWorkflow:
        spec, subprocesses = self.specs.get(version_id)
        wf = workflow_class(spec)(spec, subprocesses, script_engine=self._script_engine(context_for))
        wf.version_id = version_id
        wf.task_tree.data.update(dict(data))
        return wf


def drop_history(wf: BpmnWorkflow) -> int:
    """Drop the finished chain at the top of a simulated case's task tree; return how many tasks went.

    From the root down, a finished task with one child that goes on (the others finished and childless, such
    as a branch not taken) is history: the walk stops above the first task that is not finished or where
    the tree branches, and keeps the finished task above it as the new root, with its data. Each call only
    climbs down what finished since the last. (``compaction.compact`` for a workflow with subprocesses.)
    """
    if not isinstance(wf, SimulatedWorkflow):
        return compaction.compact(wf, keep_manual=0)
    tasks, root, gone = wf.tasks, wf.task_tree, []
    while root._state & TaskState.FINISHED_MASK:
        children = [tasks[child] for child in root._children]
        going_on = [c for c in children if c._children or not c._state & TaskState.FINISHED_MASK]
        if len(going_on) != 1 or not going_on[0]._state & TaskState.FINISHED_MASK:
            break
        gone.append(root)
        gone.extend(c for c in children if c is not going_on[0])
        root = going_on[0]
    if not gone:
        return 0
    for task in gone:
        del tasks[task.id]
    root._parent = None
    wf.task_tree = root
    if wf.last_task is not None and wf.last_task.id not in tasks:
        wf.last_task = root
    return len(gone)


def splice_history(wf: BpmnWorkflow) -> int:
    """Take finished tasks out of the middle of a simulated case's tree: a completed task whose one going-on
    child is completed too (its other children finished and childless) hands that child to its own parent.

    What stays: every live task with its parent, so a task's data and its parent's are as before; every
    boundary-event split (its join looks for it); every task where the tree branches."""
    if not isinstance(wf, SimulatedWorkflow):
        return 0
    tasks, gone = wf.tasks, 0
    stack = [wf.task_tree]
    while stack:
        node = stack.pop()
        children = node._children
        for i, child_id in enumerate(children):
            child = tasks[child_id]
            while (nxt := _only_way_on(child, tasks)) is not None:
                for other in child._children:
                    if other != nxt.id:
                        del tasks[other]
                del tasks[child.id]
                gone += 1
                children[i] = nxt.id
                nxt._parent = node.id
                child = nxt
            stack.append(child)
    if gone and wf.last_task is not None and wf.last_task.id not in tasks:
        wf.last_task = wf.task_tree
    return gone


def _only_way_on(task, tasks):
    """The completed child ``task`` goes on to, when ``task`` is completed, no boundary-event split, and its other
    children are finished and childless; else None."""
    if task._state != TaskState.COMPLETED or isinstance(task.task_spec, BoundaryEventSplit):
        return None
    going_on = None
    for child_id in task._children:
        child = tasks[child_id]
        if child._children or not child._state & TaskState.FINISHED_MASK:
            if going_on is not None:
                return None
            going_on = child
    return going_on if going_on is not None and going_on._state == TaskState.COMPLETED else None
