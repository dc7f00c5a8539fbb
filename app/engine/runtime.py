"""The SpiffWorkflow façade: start, load, act, run, save and read projections.

It knows nothing of Flask, HTTP or the database. The service layer hands it a
``Host`` (reference numbers, notifications, case events) and persists what it
returns. Specs are parsed once per deployed version and cached here; instance
state is serialized *without* them (by reference to the version).
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, UTC
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    TimerEventDefinition)
from SpiffWorkflow.exceptions import TaskNotFoundException, WorkflowException
from SpiffWorkflow.util.task import TaskState

from app.clock import clock
from handlers.registry import HandlerContext, Operation

from . import compaction, spiff_patches
from . import skips as skipping
from .external import ExternalTask
from .failures import EngineError, translating as _translating
from .projections import (
    ExternalWork, ReadyTask, Snapshot, WaitingTimer, catching_element, definitions_of, event_definitions,
    json_safe, properties_of, status_of_outputs, timer_due)
from .routing import route_ready_tasks, routing_of
from .sandbox import RestrictedEnvironment, ScriptPool
from .store import SpecCache, make_serializer


spiff_patches.apply()

#: The states of a case's live tasks: ready (a user task, or about to run), waiting (an event), started
#: (external work). Asked for together, they come in the order a walk for each state alone gives them.
LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass(frozen=True)
class Step:
    """What a handler's context is built from: the element being run and its task data."""

    element_id: str
    data: Mapping


class MessageNotExpected(Exception):
    """The case is not waiting for this message now."""


# ------------------------------------------------------------------ script engine


class HostScriptEngine(PythonScriptEngine):
    """Runs scripts in the sandbox and service tasks through the handler registry."""

    def __init__(self, operations: Mapping[str, Operation], context_for: Callable[[Any], HandlerContext],
                 scripts: ScriptPool, skips: Mapping[str, dict] | None = None):
        super().__init__(environment=RestrictedEnvironment(scripts))
        self.operations = operations
        self.context_for = context_for
        #: {element id: answer}: the next call of that service task answers this instead of its handler
        #: (the deploy gate's walk uses it to try each answer a handler declares).
        self.overrides: dict[str, dict] = {}
        #: {element id: result}: an administrator skips that failing step with this result (see skips).
        self.skips = dict(skips or {})
        #: Tasks being passed over: their scripts do not run.
        self.passing_over: set = set()

    def execute(self, task, script, external_context=None):
        if task.id in self.passing_over:
            return True
        return super().execute(task, script, external_context)

    def call_service(self, task, operation_name, operation_params):
        element = task.task_spec.bpmn_id
        if element in self.overrides:
            return json.dumps(self.overrides.pop(element), default=str)
        op = self.operations.get(operation_name)
        if op is None:
            raise EngineError(f"no handler for operation {operation_name!r}", element=task.task_spec.bpmn_id)
        params = {k: v["value"] for k, v in (operation_params or {}).items()}
        result = op.fn(self.context_for(Step(element, task.data)), **params)
        return json.dumps(result, default=str)

    def get_error_line_number_and_content(self, script, err):
        line = getattr(err, "script_line", None)  # set on errors raised in a script worker
        lines = script.splitlines()
        if line and 0 < line <= len(lines):
            return line, lines[line - 1]
        return super().get_error_line_number_and_content(script, err)


# ------------------------------------------------------------------ projections


class ProcessEngine:
    """Starts, loads, drives and snapshots workflows."""

    def __init__(self, operations: Mapping[str, Operation], spec_cache: SpecCache, *,
                 scripts: ScriptPool | None = None, zone=UTC):
        self.operations = operations
        self.specs = spec_cache
        self.serializer = make_serializer(spec_cache)
        #: Where scripts and unbounded expressions run (workers that are killed at their limits).
        self.scripts = scripts or ScriptPool()
        #: The local time zone: a due date without a time ends at midnight there.
        self.zone = zone

    # -- lifecycle -----------------------------------------------------------
    def _script_engine(self, context_for: Callable[[Any], HandlerContext],
                       skips: Mapping[str, dict] | None = None) -> HostScriptEngine:
        return HostScriptEngine(self.operations, context_for, self.scripts, skips)

    def new(self, version_id: int, data: Mapping, context_for) -> BpmnWorkflow:
        spec, subprocesses = self.specs.get(version_id)
        wf = BpmnWorkflow(spec, subprocesses, script_engine=self._script_engine(context_for))
        wf.version_id = version_id
        wf.task_tree.data.update(dict(data))
        return wf

    def load(self, state: str, context_for, skips: Mapping[str, dict] | None = None) -> BpmnWorkflow:
        """The workflow of ``state``; ``skips`` ({element id: result}) passes over those failed steps."""
        wf = self.serializer.deserialize_json(state)
        wf.script_engine = self._script_engine(context_for, skips)  # never serialized
        return wf

    def dump(self, wf: BpmnWorkflow) -> str:
        return self.serializer.serialize_json(wf)

    # -- actions ------------------------------------------------------------
    def run(self, wf: BpmnWorkflow, events: list[dict]) -> None:
        """Run every ready automatic task; translate failures to ``EngineError``."""

        def steps():
            wf.refresh_timers()
            wf.do_engine_steps(will_complete_task=skipping.interceptor(wf.script_engine.skips),
                               did_complete_task=_recorder(events))
            route_ready_tasks(wf, clock.now(), self.zone)

        while True:
            try:
                _translating(wf, steps)
                return
            except skipping.SkipStep as skip:
                skipping.pass_over(skip.task, skip.data, events)

    def complete_task(self, wf: BpmnWorkflow, task_id: str, data: Mapping, events: list[dict]) -> None:
        task = _task(wf, task_id)
        if task is None or not task.has_state(TaskState.READY) or not task.task_spec.manual:
            raise LookupError(task_id)
        variable = getattr(task.task_spec, "variable", None)
        if variable:
            task.data[variable] = dict(data)
        else:
            task.set_data(**dict(data))
        skipped = wf.script_engine.skips.pop(task.task_spec.bpmn_id, None)
        if skipped is not None:  # its post-script failed; the administrator entered what it would set
            skipping.pass_over(task, skipped, events)
        else:
            _translating(wf, task.run)
        self.run(wf, events)

    def deliver_message(self, wf: BpmnWorkflow, name: str, payload: Mapping, events: list[dict]) -> None:
        for task in wf.get_tasks(state=TaskState.WAITING):
            for definition in event_definitions(task):
                if isinstance(definition, MessageEventDefinition) and definition.name == name:
                    try:
                        wf.send_event(BpmnEvent(definition, dict(payload), {}))
                    except WorkflowException as exc:
                        raise MessageNotExpected(name) from exc
                    events.append({"action": "engine.message_caught", "element": task.task_spec.bpmn_id,
                                   "name": name})
                    self.run(wf, events)
                    return
        raise MessageNotExpected(name)

    def complete_external(self, wf: BpmnWorkflow, task_id: str, variables: Mapping, events: list[dict]) -> None:
        """A worker finished an external task: its variables join the case data and the case goes on."""
        task = _task(wf, task_id)
        if task is None or not task.has_state(TaskState.STARTED) or not isinstance(task.task_spec, ExternalTask):
            raise LookupError(task_id)
        task.data.update(dict(variables))
        task.complete()
        events.append({"action": "engine.external_task_completed", "element": task.task_spec.bpmn_id,
                       "name": task.task_spec.bpmn_name, "topic": task.task_spec.topic})
        self.run(wf, events)

    def fire_due_timers(self, wf: BpmnWorkflow, events: list[dict]) -> None:
        self.run(wf, events)

    def reset_to(self, wf: BpmnWorkflow, task_id: str, events: list[dict]) -> None:
        """Move the case back so that the completed task ``task_id`` is ready again."""
        task = _task(wf, task_id)
        if task is None or not task.has_state(TaskState.COMPLETED):
            raise LookupError(task_id)
        wf.reset_from_task_id(task.id)
        # SpiffWorkflow 3.2 leaves the removed tasks' waiting timers in the event manager, and the
        # next refresh_timers() fails on them ("'NoneType' object has no attribute 'data'")
        alive = set(wf.tasks).union(*(sub.tasks for sub in wf.subprocesses.values()))
        for waiting in [t for t in wf.event_manager.tasks.values() if t.id not in alive]:
            wf.event_manager.remove_task(waiting)
        events.append({"action": "engine.reset", "element": task.task_spec.bpmn_id})
        self.run(wf, events)

    def cancel(self, wf: BpmnWorkflow, data: Mapping, events: list[dict]) -> None:
        """End the workflow where it stands, keeping ``data`` as its final data."""
        final = self.case_data(wf)
        final.update(dict(data))
        wf.cancel()
        wf.data.clear()
        wf.data.update(final)
        events.append({"action": "engine.cancelled"})

    # -- projections --------------------------------------------------------
    def snapshot(self, wf: BpmnWorkflow, events: list[dict], *, previous_path: list | None = None,
                 compact: bool = False) -> Snapshot:
        """What to persist now. ``previous_path`` is the path saved last time (it keeps the steps of tasks
        that compaction dropped); ``compact`` drops the finished history before the state is saved."""
        ready, timers, messages, statuses = [], [], [], []
        live = wf.get_tasks(state=LIVE)  # one walk of the tree, in the order of a walk for each state
        for task in (t for t in live if t.state == TaskState.READY and t.task_spec.manual):
            spec, routing = task.task_spec, routing_of(task)
            properties = properties_of(task)
            ready.append(ReadyTask(
                id=str(task.id), element_id=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id,
                lane=spec.lane, group=(routing["groups"] or [None])[0], groups=routing["groups"],
                assignee=routing["assignee"],
                due_at=datetime.fromisoformat(routing["due_at"]) if routing["due_at"] else None,
                form=(spec.extensions or {}).get("formJsonSchemaFilename"),
                properties=properties, data=json_safe(task.data)))
            statuses.append(properties.get("status"))
        for task in (t for t in live if t.state == TaskState.WAITING):
            defs = event_definitions(task)
            if not defs:
                continue
            statuses.append(properties_of(task).get("status") or status_of_outputs(task))
            value = task.internal_data.get("event_value")
            for d in defs:
                element = catching_element(task, d)
                if isinstance(d, TimerEventDefinition):
                    due = timer_due(d, value)
                    if due is not None:
                        timers.append(WaitingTimer(str(task.id), element, due))
                elif isinstance(d, MessageEventDefinition):
                    messages.append((d.name, element))
        external = [ExternalWork(str(t.id), t.task_spec.bpmn_id, t.task_spec.topic, t.task_spec.retries,
                                 json_safe(t.data))
                    for t in live if t.state == TaskState.STARTED and isinstance(t.task_spec, ExternalTask)]
        statuses += [properties_of(wf.get_task_from_id(uuid.UUID(w.id))).get("status") for w in external]
        completed = wf.is_completed()
        if completed:
            statuses = [properties_of(t).get("status") for t in wf.get_tasks(state=TaskState.COMPLETED)
                        if isinstance(t.task_spec, EndEvent)]
        path = self.path(wf, previous_path)
        data = self.case_data(wf, live)
        settled = []
        if compact:
            compaction.compact(wf)
            kept = _task_ids(wf)
            settled = [step for step in path if step["task"] not in kept]
            path = [step for step in path if step["task"] in kept]
        return Snapshot(
            state=self.dump(wf), completed=completed, ready=ready, timers=timers, messages=messages,
            statuses=[s for s in statuses if s], data=data, path=path, engine_events=events, external=external,
            settled_path=settled)

    @staticmethod
    def case_data(wf: BpmnWorkflow, live: list | None = None) -> dict:
        """The case's data now: the end data, or the data of the active branches (``live``: its live tasks
        if the caller has them)."""
        if wf.is_completed():
            return json_safe(wf.data)
        merged: dict = {}
        active = wf.get_tasks(state=LIVE) if live is None else live
        if not active:
            active = [wf.last_task] if wf.last_task else []
        for task in active:
            merged.update(task.data)
        merged.pop("data_objects", None)
        return json_safe(merged)

    @staticmethod
    def path(wf: BpmnWorkflow, previous: list | None = None) -> list[dict]:
        """Completed BPMN elements in the order they finished.

        Steps of ``previous`` (the path saved before) whose task is no longer in the tree (compaction
        dropped it) are kept; the rest is read from the tree.
        """
        tasks = wf.get_tasks()
        done = [t for t in tasks if t.has_state(TaskState.COMPLETED) and getattr(t.task_spec, "bpmn_id", None)]
        done.sort(key=lambda t: t.last_state_change)
        steps = [{"element": t.task_spec.bpmn_id, "name": t.task_spec.bpmn_name or t.task_spec.bpmn_id,
                  **_swedish_name(t.task_spec), "type": t.task_spec.description,
                  "at": datetime.fromtimestamp(t.last_state_change, UTC).isoformat(), "task": str(t.id)}
                 for t in done]
        in_tree = {str(t.id) for t in tasks}
        dropped = [step for step in previous or [] if isinstance(step, dict) and step.get("task")
                   and step["task"] not in in_tree]
        if not dropped or not steps or _at(dropped[-1]) <= _at(steps[0]):
            return dropped + steps
        return sorted(dropped + steps, key=_at)


def _task_ids(wf: BpmnWorkflow) -> set[str]:
    """The ids of every task in the workflow and its subprocesses."""
    return {str(task_id) for task_id in wf.tasks}.union(
        *({str(task_id) for task_id in sub.tasks} for sub in wf.subprocesses.values()))


def _task(wf: BpmnWorkflow, task_id: str):
    """The workflow's task with this id; None when it has none (never had, or dropped: reset, compacted)."""
    try:
        return wf.get_task_from_id(uuid.UUID(task_id))
    except (TaskNotFoundException, ValueError):
        return None


def _at(step: dict) -> datetime:
    return datetime.fromisoformat(step["at"])


def _swedish_name(spec) -> dict:
    """``{"name_sv": ...}`` when the element has a Swedish title (property ``title_sv``), else nothing."""
    title = ((getattr(spec, "extensions", {}) or {}).get("properties") or {}).get("title_sv")
    return {"name_sv": title} if title else {}


def _recorder(events: list[dict]) -> Callable:
    """The engine-step callback that notes each completed element in ``events``."""

    def did_complete(task):
        if not task.has_state(TaskState.COMPLETED):  # only started: an external task, a call activity
            return
        event = _completion_event(task.task_spec)
        if event is not None:
            events.append(event)

    return did_complete


def _completion_event(spec) -> dict | None:
    """The history event for a completed task; None for specs that are no element of the diagram."""
    if not getattr(spec, "bpmn_id", None):
        return None
    event = {"action": "engine.task_completed", "element": spec.bpmn_id, "name": spec.bpmn_name,
             **_swedish_name(spec), "type": spec.description}
    if getattr(spec, "operation_name", None):
        event |= {"action": "engine.handler_called", "operation": spec.operation_name}
    elif any(isinstance(d, TimerEventDefinition) for d in definitions_of(spec)):
        event["action"] = "engine.timer_fired"
    return event
