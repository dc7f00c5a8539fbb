"""A walked path and the state the walk keeps about it; small helpers on SpiffWorkflow tasks."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.util.task import TaskState

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass
class Trail:
    """One path so far: elements completed in order and the actions that led there."""

    elements: list[str] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)
    visits: Counter = field(default_factory=Counter)
    #: False once the walk forced an outcome the app cannot be told to take (a decision's rule).
    replayable: bool = True

    def copy(self) -> Trail:
        return Trail(list(self.elements), list(self.actions), Counter(self.visits), self.replayable)


@dataclass(frozen=True)
class WalkedPath:
    actions: list[dict]
    elements: list[str]
    #: "completed", "merged" (joins a state walked before), "loop_bound", "failed", "dead_end"
    end: str
    replayable: bool


@dataclass
class Node:
    state: str | None
    move: tuple
    trail: Trail
    #: The workflow itself, for the first child of a branch (its siblings load ``state``).
    live: object | None = None


class Stop(Exception):
    """Control flow out of SpiffWorkflow's engine loop."""


class Branch(Stop):
    def __init__(self, task):
        super().__init__(task.task_spec.name)
        self.task = task


class LoopBound(Stop):
    pass


class Budget(Stop):
    """The walk reached its step limit."""


def definitions(task) -> list:
    ed = getattr(task.task_spec, "event_definition", None)
    if ed is None:
        return []
    return list(ed.event_definitions) if isinstance(ed, MultipleEventDefinition) else [ed]


def cause(exc: BaseException) -> BaseException:
    inner = getattr(exc, "exception", None) or exc.__cause__ or exc.__context__
    if isinstance(exc, WorkflowTaskException) and inner is not None:
        return cause(inner) if isinstance(inner, WorkflowTaskException) else inner
    return exc


def message(task, exc: BaseException) -> str:
    found = cause(exc)
    text = str(found).strip().split("\n")[0] or type(found).__name__
    name = (task.task_spec.bpmn_name or task.task_spec.bpmn_id) if task is not None else None
    what = f"{type(found).__name__}: {text}" if type(found).__name__ not in text else text
    return f"{name}: {what}" if name else what


def active(wf) -> list:
    """Ready, waiting and started tasks (faster than SpiffWorkflow's tree iterator)."""
    found = [t for t in wf.tasks.values() if t.state & ACTIVE]
    for sub in wf.subprocesses.values():
        found += [t for t in sub.tasks.values() if t.state & ACTIVE]
    return found


def shape(value) -> str:
    if isinstance(value, dict):
        return "dict:" + ",".join(sorted(value))
    if isinstance(value, list):
        return f"list:{bool(value)}"
    return type(value).__name__


def catching(task, index: int) -> str:
    """The element that catches definition ``index`` of a waiting task (for a gateway: the event after it)."""
    outputs = task.task_spec.outputs
    ed = getattr(task.task_spec, "event_definition", None)
    if isinstance(ed, MultipleEventDefinition) and len(outputs) == len(ed.event_definitions):
        return outputs[index].bpmn_id
    return task.task_spec.bpmn_id
