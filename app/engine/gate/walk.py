"""Walk every path of a process through the real engine, in memory, with fake handlers.

At every point where a case can go more than one way the walk branches: each
generated form submission of the next user task, each timer firing, each
message arriving, each decision-table rule's outcome, each declared answer of a
handler. States already seen (same open elements, same variables, same values
of the variables conditions read) are not walked twice; loops are unrolled a
bounded number of times; the whole walk is bounded in paths and steps.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from app.clock import clock
from handlers.registry import HandlerContext

from ..external import ExternalTask
from ..routing import RoutingFailed, route_ready_tasks
from ..runtime import ProcessEngine
from ..sandbox import ScriptPool
from ..skips import complete_without_scripts
from ..store import SpecCache
from . import decisions, formdata
from .fakes import FakeOperations
from .moves import Moves
from .names import conditions_ahead, reads_ahead
from .paths import (
    Branch, Budget, LoopBound, Node, Trail, WalkedPath, active, definitions, message, shape)
from .report import Finding

GATE_VERSION = -1  # the spec cache key of the version being walked (not stored yet)


@dataclass(frozen=True)
class Limits:
    max_paths: int = 2500
    max_steps: int = 100_000
    #: An element runs at most 1 + loop_unroll times on one path.
    loop_unroll: int = 1


@dataclass(frozen=True)
class Inputs:
    """The host's rules for turning forms and messages into case data (the code the app runs)."""

    forms: Mapping[str, dict]
    start_data: Callable[[Mapping, Mapping], dict]
    task_data: Callable[[Mapping, Mapping], dict]
    defaults: Callable[[Mapping | None, Mapping], dict]
    message_payload: Callable[[str], dict] = lambda name: {}


class Walker(Moves):
    """Walks one process (and the processes it calls)."""

    def __init__(self, spec, subprocesses: Mapping, inputs: Inputs, operations: Mapping, *,
                 limits: Limits = Limits(), scripts: ScriptPool | None = None):
        cache = SpecCache()
        cache.put_parsed(GATE_VERSION, spec, subprocesses)
        self.spec, self.subprocesses = spec, subprocesses
        self.inputs, self.limits = inputs, limits
        self.fakes = FakeOperations(operations)
        self.engine = ProcessEngine(self.fakes, cache, scripts=scripts)
        specs = [spec, *[s for s in subprocesses.values() if s is not None]]
        self.ahead = conditions_ahead(specs)
        self.live = reads_ahead(specs, inputs.forms)
        self.findings: dict[tuple[str | None, str], Finding] = {}
        self.paths: list[WalkedPath] = []
        self.reached: set[str] = set()
        self.taken: set[tuple[str, str]] = set()
        self.seen: set[int] = set()
        self.tried: set[tuple[str, str]] = set()
        self.submissions: dict[tuple, list[dict]] = {}
        self.steps = 0
        self.stopped_by: str | None = None

    # ------------------------------------------------------------------ the walk

    def walk(self, state: str | None = None) -> Walker:
        """Walk from the start event, or (``state``: a workflow dumped with ``GATE_VERSION``) from where it is."""
        if state is None:
            stack = [Node(None, ("start", data), Trail()) for data in reversed(self._start_variants())]
        else:
            stack = [Node(state, ("resume", None, None), Trail())]
        while stack:
            if len(self.paths) >= self.limits.max_paths:
                self.stopped_by = "paths"
                break
            node = stack.pop()
            try:
                stack.extend(reversed(self._expand(node)))
            except Budget:
                self.stopped_by = "steps"
                break
        return self

    def _context(self, step) -> HandlerContext:
        return HandlerContext(case_id=0, reference=None, element_id=step.element_id, now=clock.now(),
                              data={}, settings={}, host=None)

    def _start_variants(self) -> list[dict]:
        start = next((ts for ts in self.spec.task_specs.values() if type(ts).__name__ == "StartEvent"), None)
        form = ((getattr(start, "extensions", None) or {}).get("formJsonSchemaFilename")) if start else None
        schema = self.inputs.forms.get(form) if form else None
        found = []
        for submitted in formdata.variants(schema, self.inputs.defaults(schema, {})):
            try:
                found.append(self.inputs.start_data(schema, submitted) if schema else dict(submitted))
            except Exception:  # the host refuses it; a user could not send it either
                continue
        return found or [{}]

    def _expand(self, node: Node) -> list[Node]:
        trail = node.trail
        if node.move[0] == "start":
            wf = self.engine.new(GATE_VERSION, node.move[1], self._context)
            trail.actions.append({"kind": "start", "data": node.move[1]})
        else:
            wf = node.live if node.live is not None else self.engine.load(node.state, self._context)
            node.live = None
            if node.move[0] != "resume" and not self._apply(wf, node.move, trail):
                return []
        return self._settle(wf, trail)

    def _settle(self, wf, trail: Trail) -> list[Node]:
        """Run engine steps until the case waits; branch, record failures, or end the path."""
        while True:
            try:
                wf.do_engine_steps(will_complete_task=partial(self._before, trail),
                                   did_complete_task=partial(self._done, trail))
                route_ready_tasks(wf, clock.now(), self.engine.zone)  # as the app does: group expressions run
            except Branch as branch:
                return self._branch(wf, trail, branch.task)
            except LoopBound:
                self._end(trail, "loop_bound")
                return []
            except Budget:
                raise
            except RoutingFailed as exc:  # a group or due-date expression failed on this path
                self._fail(trail, self._task_of(wf, exc.element), exc)
                self._end(trail, "failed")
                return []
            except Exception as exc:  # a step of the diagram failed: that is what the walk looks for
                task = self._failed_task(wf, exc)
                self._fail(trail, task, exc)
                if not self._pass_over(wf, task, trail):
                    self._end(trail, "failed")
                    return []
                continue
            return self._choices(wf, trail)

    # ------------------------------------------------------------------ engine callbacks

    def _count(self, task, trail: Trail) -> None:
        self.steps += 1
        if self.steps > self.limits.max_steps:
            raise Budget()
        element = getattr(task.task_spec, "bpmn_id", None)
        if element and trail.visits[element] > self.limits.loop_unroll:
            raise LoopBound()

    def _before(self, trail: Trail, task) -> None:
        self._count(task, trail)
        if decisions.has_choices(task) or len(self._answers(task)) > 1:
            raise Branch(task)

    def _done(self, trail: Trail, task) -> None:
        spec = task.task_spec
        parent = task.parent.task_spec if task.parent is not None else None
        if parent is not None and getattr(parent, "bpmn_id", None) and len(parent.outputs) > 1:
            self.taken.add((parent.bpmn_id, spec.name))
        element = getattr(spec, "bpmn_id", None)
        if element:
            trail.elements.append(element)
            trail.visits[element] += 1
            self.reached.add(element)

    def _answers(self, task) -> list[dict]:
        name = getattr(task.task_spec, "operation_name", None)
        return self.fakes.variants(name) if name else []

    # ------------------------------------------------------------------ branching

    def _branch(self, wf, trail: Trail, task) -> list[Node]:
        if self._merged(wf, trail, active(wf)):
            return []
        if decisions.has_choices(task):
            moves = [("decide", str(task.id), outputs) for outputs in decisions.outcomes(task)]
        else:
            moves = [("answer", str(task.id), answer) for answer in self._answers(task)]
        return self._children(wf, trail, moves)

    def _children(self, wf, trail: Trail, moves: list[tuple]) -> list[Node]:
        state = self.engine.dump(wf) if len(moves) > 1 else ""
        children = [Node(state, move, trail.copy()) for move in moves]
        if children:
            children[0].live = wf
        return children

    def _merged(self, wf, trail: Trail, tasks: list) -> bool:
        """True (and the path ends) when this state was walked before."""
        key = self._signature(wf, tasks)
        if key in self.seen:
            self._end(trail, "merged")
            return True
        self.seen.add(key)
        return False

    def _choices(self, wf, trail: Trail) -> list[Node]:
        if wf.is_completed():
            self._end(trail, "completed")
            return []
        tasks = active(wf)
        self.reached.update(t.task_spec.bpmn_id for t in tasks if getattr(t.task_spec, "bpmn_id", None))
        if self._merged(wf, trail, tasks):
            return []
        moves = self._task_moves(tasks) + self._event_moves(tasks)
        if not moves:
            self._dead_end(wf, trail)
            return []
        return self._children(wf, trail, moves)

    def _signature(self, wf, tasks: list) -> int:
        """What decides where a case can still go and whether a step ahead can fail: its open elements,
        which of the variables still to be read it has (and their kinds), and how every condition it may
        still meet would come out on its data."""
        active = tuple(sorted((t.task_spec.name, t.state) for t in tasks))
        data: dict = {}
        for task in tasks:
            data.update(task.data)
        live = set().union(*[self.live.get(id(t.task_spec), ()) for t in tasks])
        shapes = tuple(sorted((k, shape(v)) for k, v in data.items() if k in live))
        conditions = sorted(set().union(*[self.ahead.get(id(t.task_spec), ()) for t in tasks]))
        outcomes = tuple(self._truth(wf, expression, data) for expression in conditions)
        return hash((active, shapes, outcomes))

    def _truth(self, wf, expression: str, data: dict) -> str:
        try:
            return repr(bool(wf.script_engine.environment.evaluate(expression, dict(data))))
        except Exception as exc:  # a condition that fails on this data is a state of its own
            return type(exc).__name__

    def _task_moves(self, tasks: list) -> list[tuple]:
        ready = sorted((t for t in tasks if t.state == TaskState.READY and t.task_spec.manual),
                       key=lambda t: (t.task_spec.bpmn_id or "", str(t.id)))
        if not ready:
            return []
        task = ready[0]
        form = (task.task_spec.extensions or {}).get("formJsonSchemaFilename")
        moves, kinds = [], set()
        for data in self._submissions(form, self.inputs.defaults(self.inputs.forms.get(form or ""), dict(task.data))):
            if self._worth_trying(task, data, kinds):
                moves.append(("complete", str(task.id), data))
        return moves

    def _submissions(self, form: str | None, defaults: dict) -> list[dict]:
        """The generated submissions of ``form`` the host accepts (kept per form and defaults)."""
        key = (form, json.dumps(defaults, sort_keys=True, default=str))
        if key not in self.submissions:
            schema = self.inputs.forms.get(form) if form else None
            found = []
            for submitted in formdata.variants(schema, defaults):
                try:
                    found.append(self.inputs.task_data(schema, submitted) if schema else dict(submitted))
                except Exception:  # the host refuses it; a user could not send it either
                    continue
            self.submissions[key] = found
        return [dict(d) for d in self.submissions[key]]

    def _worth_trying(self, task, data: dict, kinds: set) -> bool:
        """Every submission is tried once at each user task; after that only those that can lead
        somewhere new from here (other conditions' outcomes, other variables to read)."""
        first = (task.task_spec.bpmn_id, json.dumps(data, sort_keys=True, default=str))
        merged = {**task.data, **data}
        live = self.live.get(id(task.task_spec), frozenset())
        shapes = tuple(sorted((k, shape(v)) for k, v in merged.items() if k in live))
        conditions = sorted(self.ahead.get(id(task.task_spec), ()))
        kind = (shapes, tuple(self._truth(task.workflow, c, merged) for c in conditions))
        new = first not in self.tried or kind not in kinds
        self.tried.add(first)
        kinds.add(kind)
        return new

    def _event_moves(self, tasks: list) -> list[tuple]:
        moves = []
        waiting = sorted((t for t in tasks if t.state == TaskState.WAITING),
                         key=lambda t: (t.task_spec.name, str(t.id)))
        for task in waiting:
            for i, definition in enumerate(definitions(task)):
                if isinstance(definition, TimerEventDefinition):
                    moves.append(("fire", str(task.id), i))
                elif isinstance(definition, MessageEventDefinition):
                    moves.append(("deliver", str(task.id), i))
        started = sorted((t for t in tasks if t.state == TaskState.STARTED and isinstance(t.task_spec, ExternalTask)),
                         key=lambda t: (t.task_spec.name, str(t.id)))
        return moves + [("external", str(t.id), None) for t in started]

    # ------------------------------------------------------------------ failures and ends

    def _task_of(self, wf, element: str | None):
        return next((t for t in wf.get_tasks(state=TaskState.READY) if t.task_spec.bpmn_id == element), None)

    def _failed_task(self, wf, exc: BaseException):
        task = getattr(exc, "task", None)
        if task is not None:
            return task
        failed = wf.get_tasks(state=TaskState.ERROR)
        return failed[0] if failed else None

    def _fail(self, trail: Trail, task, exc: BaseException) -> None:
        element = getattr(task.task_spec, "bpmn_id", None) if task is not None else None
        text = message(task, exc)
        path = tuple(trail.elements) + ((element,) if element and (not trail.elements
                                                                   or trail.elements[-1] != element) else ())
        key = (element, text)
        known = self.findings.get(key)
        if known is None or len(path) < len(known.path):
            self.findings[key] = Finding(text, element=element, kind="path", path=path, args=_failure_args(task, text))

    def _pass_over(self, wf, task, trail: Trail) -> bool:
        """Complete a failed automatic step as if it had worked, to find what fails after it."""
        if task is None or not getattr(task.task_spec, "bpmn_id", None):
            return False
        spec = task.task_spec
        if getattr(spec, "operation_name", None) and getattr(spec, "result_variable", None):
            task.data[spec.result_variable] = self.fakes.variants(spec.operation_name)[0]
        try:
            task._set_state(TaskState.READY)
            complete_without_scripts(task)
        except Exception:  # it cannot be passed over: the path ends here
            return False
        self._done(trail, task)
        return True

    def _dead_end(self, wf, trail: Trail) -> None:
        stuck = [t for t in active(wf) if getattr(t.task_spec, "bpmn_id", None)]
        element = stuck[0].task_spec.bpmn_id if stuck else (trail.elements[-1] if trail.elements else None)
        after = self._label(trail.elements[-1]) if trail.elements else "the start"
        where = f" at {self._label(element)}" if stuck else ""
        message = (f"dead end: after {after} nothing can happen any more and the case is not finished "
                   f"(it would wait forever{where})")
        key = (element, "dead end")
        if key not in self.findings:
            self.findings[key] = Finding(message, element=element, kind="path", path=tuple(trail.elements),
                                         args={"dead_end": True, "after": after.strip("'\""),
                                               "at": self._label(element).strip("'\"") if stuck else None})
        self._end(trail, "dead_end")

    def _label(self, element: str | None) -> str:
        for spec in [self.spec, *[s for s in self.subprocesses.values() if s is not None]]:
            ts = spec.task_specs.get(element) if element else None
            if ts is not None:
                return repr(ts.bpmn_name or element)
        return repr(element)

    def _end(self, trail: Trail, how: str) -> None:
        self.paths.append(WalkedPath(trail.actions, trail.elements, how, trail.replayable))




_NAME_ERROR = re.compile(r"NameError: name '([^']+)' is not defined")


def _failure_args(task, text: str) -> dict:
    """A failed step's finding as values (``app.web.gate_words`` words it in the reader's language): the step, its
    Swedish title, the name it read that nothing had set, or the error."""
    spec = task.task_spec if task is not None else None
    props = ((getattr(spec, "extensions", None) or {}).get("properties") or {}) if spec is not None else {}
    missing = _NAME_ERROR.search(text)
    step = (spec.bpmn_name or spec.bpmn_id) if spec is not None else None
    error = text.split(": ", 1)[1] if step and text.startswith(f"{step}: ") else text
    return {"task": step, "task_sv": props.get("title_sv"), "name": missing.group(1) if missing else None,
            "error": error}
