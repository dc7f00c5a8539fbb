"""What the host persists after an action: the snapshot of a workflow and the projections in it.

Ready user tasks (with their routing), waiting timers and messages, started
external tasks and the statuses they give the case, read from a workflow
without touching the database.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, UTC

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition, TimeDateEventDefinition, TimerEventDefinition)


@dataclass
class ReadyTask:
    id: str
    element_id: str
    name: str
    lane: str | None
    form: str | None
    properties: dict
    data: dict
    #: The groups the task itself names (property ``group``, or ``group_expression`` evaluated on its data;
    #: ``group`` is the first); empty when its lane decides. Its assignee and due date (see routing).
    group: str | None = None
    groups: list[str] = field(default_factory=list)
    assignee: str | None = None
    due_at: datetime | None = None


@dataclass
class ExternalWork:
    """A started external task: work an integration worker fetches by topic (see ``external``)."""

    id: str
    element_id: str
    topic: str
    retries: int
    data: dict


@dataclass
class WaitingTimer:
    task_id: str
    element_id: str
    due_at: datetime


@dataclass
class Snapshot:
    """What the host persists after an action: state and projections."""

    state: str
    completed: bool
    ready: list[ReadyTask]
    timers: list[WaitingTimer]
    messages: list[tuple[str, str]]  # (message name, element id)
    statuses: list[str]
    data: dict
    #: The path's steps of the tasks in ``state`` (and of any earlier ones not yet settled).
    path: list[dict]
    engine_events: list[dict] = field(default_factory=list)
    external: list[ExternalWork] = field(default_factory=list)
    #: Steps whose tasks are no longer in ``state`` (compaction dropped them): the host appends them to the
    #: case's step history, once.
    settled_path: list[dict] = field(default_factory=list)


def definitions_of(spec) -> list:
    ed = getattr(spec, "event_definition", None)
    if ed is None:
        return []
    return list(ed.event_definitions) if isinstance(ed, MultipleEventDefinition) else [ed]


def event_definitions(task) -> list:
    return definitions_of(task.task_spec)


def timer_due(definition, value) -> datetime | None:
    if value is None:
        return None
    if isinstance(definition, CycleTimerEventDefinition):
        return datetime.fromisoformat(value["next"]) if value.get("cycles", 0) != 0 else None
    if isinstance(definition, TimeDateEventDefinition):
        due = TimerEventDefinition.parse_time_or_duration(value)
    else:
        due = TimerEventDefinition.get_datetime(value)
    return due if due.tzinfo else due.replace(tzinfo=UTC)


def properties_of(task) -> dict:
    return dict((getattr(task.task_spec, "extensions", {}) or {}).get("properties") or {})


def catching_element(task, definition) -> str:
    """The element that catches ``definition``: for an event-based gateway, the event after it."""
    spec = task.task_spec
    combined = getattr(spec, "event_definition", None)
    outputs = getattr(spec, "outputs", [])
    if isinstance(combined, MultipleEventDefinition) and len(outputs) == len(combined.event_definitions):
        # SpiffWorkflow 3.2 moves the events after a gateway onto it, in the order of its outputs
        for output, own in zip(outputs, combined.event_definitions, strict=True):
            if own is definition:
                return output.bpmn_id
    return spec.bpmn_id


def status_of_outputs(task) -> str | None:
    """An event-based gateway's status, from the catch events it waits on.

    SpiffWorkflow's parser drops extension properties on gateways.
    """
    for output in getattr(task.task_spec, "outputs", []):
        status = ((getattr(output, "extensions", {}) or {}).get("properties") or {}).get("status")
        if status:
            return status
    return None


def json_safe(data: Mapping) -> dict:
    return json.loads(json.dumps(dict(data), default=str))
