"""What a simulated workflow waits for, read straight from it (no serialisation, no case data copied)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from app.engine.external import ExternalTask
from app.engine.routing import routing_of
from app.engine.projections import event_definitions as _event_definitions, timer_due as _timer_due


@dataclass
class Ready:
    id: str
    element_id: str
    lane: str | None
    form: str | None
    groups: list[str]


@dataclass
class Waits:
    ready: list[Ready] = field(default_factory=list)
    #: Due times of the timers the workflow waits on.
    timers: list[datetime] = field(default_factory=list)
    #: Names of the messages it waits for.
    messages: list[str] = field(default_factory=list)
    #: Ids of started external tasks (work for an integration worker).
    external: list[str] = field(default_factory=list)


def waits(wf) -> Waits:
    """One walk of the task tree: the ready user tasks, the timers and messages waited on, external work."""
    found = Waits()
    for task in wf.get_tasks_iterator(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED):
        state, spec = task.state, task.task_spec
        if state == TaskState.READY:
            if spec.manual:
                found.ready.append(Ready(str(task.id), spec.bpmn_id, spec.lane,
                                         (spec.extensions or {}).get("formJsonSchemaFilename"),
                                         routing_of(task)["groups"]))
        elif state == TaskState.WAITING:
            _waiting(task, found)
        elif isinstance(spec, ExternalTask):
            found.external.append(str(task.id))
    return found


def _waiting(task, found: Waits) -> None:
    value = task.internal_data.get("event_value")
    for definition in _event_definitions(task):
        if isinstance(definition, TimerEventDefinition):
            due = _timer_due(definition, value)
            if due is not None:
                found.timers.append(due)
        elif isinstance(definition, MessageEventDefinition):
            found.messages.append(definition.name)
