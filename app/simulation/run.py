"""One seeded run of one scenario: arrivals, people in working time, the real engine, a simulated clock.

Every case is a real SpiffWorkflow instance of the scenario's diagram, driven
by Lotsen's engine façade with the real handlers, decision tables and forms.
Only the people are simulated: staff take queued tasks when free in working
time and fill in the forms (``answers``); applicants answer supplement orders
after a while, or not at all. A case leaves the simulation when it is decided.
"""
from __future__ import annotations

import heapq
import itertools
import random
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.clock import clock
from app.engine.runtime import EngineError, MessageNotExpected
from app.engine.script_pool import ScriptPool
from app.engine.simulated import SimulatedEngine, drop_history, splice_history
from app.engine.spec_facts import element_facts
from app.engine.store import SpecCache
from app.services.errors import InvalidInput
from app.services.forms import normalise
from app.services.runner import SUPPLEMENT_MESSAGE
from handlers import REGISTRY
from handlers.registry import HandlerContext, HandlerError, HandlerInputError

from . import answers
from .calendar import WorkCalendar
from .collect import fewer_collections
from .host import Rules, SimHost
from .model import Plan, Scenario, Staff
from .pools import Pool, week_of
from .results import CaseResult, Failure, RunResult, failure_reason
from .waits import waits as workflow_waits

ARRIVE, DONE, TIMER, REPLY, SAMPLE = range(5)
TIMER_GRACE = timedelta(seconds=1)
#: How often simulated staff answer a task again after a step refused their answers.
ANSWER_ATTEMPTS = 6
#: How long after the last arrival the simulation waits for the remaining cases to be decided.
HORIZON = timedelta(days=3 * 365)
#: Failures a case may meet in a simulated step; the case is left out and the failure reported.
STEP_ERRORS = (EngineError, HandlerInputError, HandlerError, InvalidInput, LookupError, MessageNotExpected)


@dataclass(eq=False)
class SimTask:
    case: SimCase
    task_id: str
    element: str
    group: str
    form: str | None
    ready_at: datetime
    visit: int
    started_at: datetime | None = None
    done: bool = False
    #: What the simulated person last answered (a step may refuse it; they then choose otherwise).
    answer: dict | None = None


@dataclass(eq=False)
class SimCase:
    number: int
    wf: object
    host: SimHost
    arrived: datetime
    tasks: dict[str, SimTask] = field(default_factory=dict)
    visits: Counter = field(default_factory=Counter)
    timer_token: int = 0
    replies_drawn: int = 0
    #: The messages the workflow waited for after its last step.
    messages: tuple[str, ...] = ()
    alive: bool = True


class Run:
    """Simulate ``plan.cases`` applications through ``scenario`` with the seed ``plan.seed + index``."""

    def __init__(self, plan: Plan, scenario: Scenario, index: int, progress: Callable[[float], None] | None = None):
        self.plan, self.scenario, self.index = plan, scenario, index
        seed = plan.seed + index
        self.rng = {name: random.Random(f"{seed}:{name}") for name in ("arrivals", "answers", "work", "applicants")}
        self.zone = ZoneInfo(plan.settings.get("timezone", "Europe/Stockholm"))
        self.rules = Rules(self.zone, plan.service_goals, plan.default_goal_days, plan.names)
        self.now = plan.start
        self.heap: list = []
        self.order = itertools.count()
        self.cases: dict[int, SimCase] = {}
        self.arrived = 0
        self.finished = 0
        #: Events other than the weekly sample still to come; none left means nothing can move any more.
        self.pending = 0
        self.last_arrival = plan.start
        self.result = RunResult(scenario=scenario.name, run=index)
        self.progress = progress
        self.pools: dict[str, Pool] = {}
        #: Form file → its validation, compiled once and remembering the answers it has judged.
        self.checks: dict[str, answers.FormCheck] = {}
        specs = SpecCache()
        specs.put(scenario.spec_key, scenario.spec_json)
        self.scripts = ScriptPool(size=1)
        self.engine = SimulatedEngine(REGISTRY, specs, scripts=self.scripts, zone=self.zone)

    # ------------------------------------------------------------------ the loop
    def execute(self) -> RunResult:
        handlers = {ARRIVE: self._arrive, DONE: self._done, TIMER: self._timer, REPLY: self._reply,
                    SAMPLE: self._sample}
        self._next_arrival(self.plan.start)
        self._push(self.plan.start, SAMPLE, None)
        try:
            with clock.simulated(lambda: self.now), fewer_collections():
                while self.heap:
                    when, _, kind, payload = heapq.heappop(self.heap)
                    if kind != SAMPLE:
                        self.pending -= 1
                    if self._over(when):
                        break
                    self.now = max(self.now, when)
                    handlers[kind](payload)
        finally:
            self.scripts.close()
        self.result.unfinished = len(self.cases)
        self.result.end = self.now
        for pool in self.pools.values():
            self.result.add_pool(pool, self.plan.start)
        return self.result

    def _push(self, when: datetime, kind: int, payload) -> None:
        if kind != SAMPLE:
            self.pending += 1
        heapq.heappush(self.heap, (when, next(self.order), kind, payload))

    def _over(self, when: datetime) -> bool:
        """Every application arrived and was decided, or the rest waited too long (left as unfinished)."""
        if self.arrived < self._total():
            return False
        return not self.cases or when > self.last_arrival + HORIZON

    def _total(self) -> int:
        return len(self.plan.replay) if self.plan.replay is not None else self.plan.cases

    # ------------------------------------------------------------------ arrivals
    def _next_arrival(self, after: datetime) -> None:
        if self.arrived >= self._total():
            return
        if self.plan.replay is not None:
            when, application = self.plan.replay[self.arrived]
            self._push(max(when, after), ARRIVE, application)
            return
        rng, moment = self.rng["arrivals"], after
        while True:  # a Poisson process whose rate changes week by week
            rate = max(1e-6, self.plan.inputs.arrivals_per_week[moment.isocalendar().week - 1]) / (7 * 24)
            gap = timedelta(hours=rng.expovariate(rate))
            monday = (moment - timedelta(days=moment.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
            week_end = monday + timedelta(weeks=1)
            if moment + gap < week_end:
                self._push(moment + gap, ARRIVE, None)
                return
            moment = week_end  # no arrival left this week: draw again at the next week's rate

    def _application(self) -> dict:
        rng = self.rng["arrivals"]
        if self.plan.inputs.applications:
            return dict(rng.choice(self.plan.inputs.applications))
        schema = self.scenario.forms.get(self.scenario.start_form) or {}
        return normalise(schema, answers.generate(schema, {}, None, rng, self.now.date(),
                                                  self._check(self.scenario.start_form, schema)))

    def _arrive(self, application: dict | None) -> None:
        self.arrived += 1
        self.last_arrival = self.now
        data = dict(application) if application is not None else self._application()
        data.setdefault("applicant_name", "Simulerad sökande")
        data.setdefault("applicant_email", None)
        case = SimCase(self.arrived, None, SimHost(self.rules, data.get("measure"), self.now), self.now)
        case.host.tasks_of = lambda element: [
            {"id": 0, "group": t.group, "title": t.element, "title_sv": t.element, "subject": None, "due_at": None}
            for t in case.tasks.values() if t.element == element and not t.done]
        self.cases[case.number] = case
        self._next_arrival(self.now)
        self._act(case, lambda events: self._start(case, data, events))

    def _start(self, case: SimCase, data: dict, events: list) -> None:
        case.wf = self.engine.new(self.scenario.spec_key, data, self._context_for(case))
        self.engine.run(case.wf, events)

    def _context_for(self, case: SimCase):
        settings = self.plan.settings

        def context_for(step) -> HandlerContext:
            case.host.now = self.now
            return HandlerContext(case_id=case.number, reference=None, element_id=step.element_id,
                                  now=self.now, data=dict(step.data), settings=settings, host=case.host)

        return context_for

    # ------------------------------------------------------------------ acting on a case
    def _act(self, case: SimCase, action: Callable[[list], None], element: str | None = None) -> None:
        """Do ``action`` on the case; if it fails, the case is left out, the failure counted at the step that
        failed (or ``element``, the task being answered, when a step after it refused the answers)."""
        case.host.now = self.now
        try:
            action([])
        except STEP_ERRORS as exc:
            self.result.fail(self._failure(getattr(exc, "element", None) or element, exc), exc)
            self._drop(case)
            return
        self._settle(case)

    def _failure(self, element: str | None, exc: BaseException) -> Failure:
        facts = element_facts(*self.engine.specs.get(self.scenario.spec_key), element) if element else None
        if facts is None:
            return Failure(element, None, None, failure_reason(exc))
        return Failure(element, facts["name"], facts["title_sv"], failure_reason(exc))

    def _settle(self, case: SimCase) -> None:
        """After an action: finish a decided case, queue new tasks, wake it at its next timer or reply."""
        if case.host.has_event("decided") or case.wf.is_completed():
            self._finish(case)
            return
        drop_history(case.wf)
        splice_history(case.wf)
        waits = workflow_waits(case.wf)
        ready = {r.id: r for r in waits.ready}
        for task_id, task in list(case.tasks.items()):
            if task_id not in ready:
                task.done = True  # cancelled (e.g. by an interrupting event)
                del case.tasks[task_id]
        for r in waits.ready:
            if r.id not in case.tasks:
                self._queue(case, r)
        for external in waits.external:  # integration work is not simulated: it is done at once
            self._act(case, lambda events, e=external: self.engine.complete_external(case.wf, e, {}, events))
            return
        self._wake_at_timer(case, waits.timers)
        case.messages = tuple(waits.messages)
        if SUPPLEMENT_MESSAGE in waits.messages:
            self._draw_reply(case)

    def _queue(self, case: SimCase, ready) -> None:
        case.visits[ready.element_id] += 1
        group = (ready.groups[0] if ready.groups else None) or self.scenario.lanes.get(ready.lane or "") or (
            ready.lane or "").lower()
        task = SimTask(case, ready.id, ready.element_id, group, ready.form, self.now,
                       case.visits[ready.element_id])
        case.tasks[ready.id] = task
        pool = self._pool(group)
        pool.queue.append(task)
        self._dispatch(pool)

    def _wake_at_timer(self, case: SimCase, timers) -> None:
        if not timers:
            return
        case.timer_token += 1
        # SpiffWorkflow fires a timer only once its due time has passed (strictly), so wake just after it
        self._push(max(self.now, min(timers)) + TIMER_GRACE, TIMER, (case, case.timer_token))

    def _timer(self, payload) -> None:
        case, token = payload
        if case.alive and token == case.timer_token:
            self._act(case, lambda events: self.engine.fire_due_timers(case.wf, events))

    def _draw_reply(self, case: SimCase) -> None:
        orders = sum(1 for e in case.host.events if e.kind == "supplement_ordered")
        if orders <= case.replies_drawn:
            return
        case.replies_drawn = orders
        days = self.plan.inputs.reply_after_days(self.rng["applicants"])
        if days is not None:
            self._push(self.now + timedelta(days=days), REPLY, (case, orders))

    def _reply(self, payload) -> None:
        case, order = payload
        if not case.alive or order != case.replies_drawn:
            return

        def deliver(events):
            self.engine.deliver_message(case.wf, SUPPLEMENT_MESSAGE, {"message": answers.TEXT}, events)
            case.host.record_event("supplement_received", {})

        if SUPPLEMENT_MESSAGE not in case.messages:
            self.result.late_replies += 1  # the reply date had passed: the case went on without it
            return
        self._act(case, deliver)

    # ------------------------------------------------------------------ people
    def _pool(self, group: str) -> Pool:
        pool = self.pools.get(group)
        if pool is None:
            staff = self.scenario.staff.get(group) or Staff(people=1)
            calendar = WorkCalendar(self.zone, meeting=staff.meeting)
            pool = self.pools[group] = Pool(group, staff, calendar)
        return pool

    def _dispatch(self, pool: Pool) -> None:
        while pool.free > 0 and pool.queue:
            task = pool.queue.popleft()
            if task.done or not task.case.alive:
                continue
            pool.free -= 1
            start = pool.calendar.next_open(self.now)
            hours = self.plan.inputs.work_hours_for(task.element, self.rng["work"])
            finish = pool.calendar.add_work(start, hours / pool.staff.availability)
            task.started_at = start
            pool.busy_hours[week_of(start, self.plan.start)] += hours
            self._push(finish, DONE, (pool, task))

    def _done(self, payload) -> None:
        pool, task = payload
        pool.free += 1
        case = task.case
        if case.alive and not task.done:
            task.done = True
            case.tasks.pop(task.task_id, None)
            self.result.task_done(task.element, task.ready_at, task.started_at, self.now)
            self._act(case, lambda events: self._answer(case, task, events), task.element)
        self._dispatch(pool)

    def _answer(self, case: SimCase, task: SimTask, events: list) -> None:
        """Complete the task as a person would: when a step after it refuses the answers (as the page refuses
        a form, e.g. an extension after the deadline passed), the workflow goes back and they answer again."""
        refused = None
        for attempt in range(ANSWER_ATTEMPTS):
            mark = len(case.host.events)
            try:
                self._complete(case, task, events, refused)
                return
            except (HandlerInputError, InvalidInput):
                refused = task.answer
                if attempt == ANSWER_ATTEMPTS - 1:
                    raise
                del case.host.events[mark:]
                case.wf.reset_from_task_id(uuid.UUID(task.task_id))
                self.result.answered_again += 1

    def _complete(self, case: SimCase, task: SimTask, events: list, refused: dict | None = None) -> None:
        schema = self.scenario.forms.get(task.form or "") or {"type": "object", "properties": {}}
        spiff_task = case.wf.get_task_from_id(uuid.UUID(task.task_id))
        key = task.element if task.visit == 1 else f"{task.element}#2"
        history = self.plan.inputs.answers.get(key) or self.plan.inputs.answers.get(task.element)
        data = answers.generate(schema, spiff_task.data, history, self.rng["answers"],
                                self.now.astimezone(self.zone).date(), self._check(task.form or "", schema), refused)
        task.answer = data
        if "case_type" in data:
            case.host.case_type = data["case_type"]
        self.engine.complete_task(case.wf, task.task_id, data, events)

    def _check(self, form: str, schema: dict) -> answers.FormCheck:
        check = self.checks.get(form)
        if check is None:
            check = self.checks[form] = answers.FormCheck(schema)
        return check

    def _sample(self, _payload) -> None:
        week = week_of(self.now, self.plan.start)
        for pool in self.pools.values():
            pool.sample(week)
        self.result.open_cases.append((week, len(self.cases)))
        if self.progress is not None:
            self.progress(min(1.0, self.finished / max(1, self._total())))
        if self.pending:  # a case or an arrival can still move: keep sampling
            self._push(self.now + timedelta(weeks=1), SAMPLE, None)

    # ------------------------------------------------------------------ leaving
    def _finish(self, case: SimCase) -> None:
        if case.number > self.plan.warmup_share * self._total():
            clock_now = case.host.clock()
            last = case.wf.last_task.data if case.wf.last_task is not None else {}
            fee = last.get("fee") if isinstance(last.get("fee"), dict) else {}
            decided = next((e for e in case.host.events if e.kind == "decided"), None)
            self.result.cases.append(CaseResult.of(clock_now, case.arrived, self.now, fee,
                                                   (decided.data or {}).get("outcome") if decided else None))
        self._drop(case)

    def _drop(self, case: SimCase) -> None:
        case.alive = False
        for task in case.tasks.values():
            task.done = True
        self.cases.pop(case.number, None)
        self.finished += 1


def simulate(plan: Plan, scenario: Scenario, index: int, progress=None) -> RunResult:
    """One run (for a process pool: everything in and out is plain data)."""
    return Run(plan, scenario, index, progress).execute()

