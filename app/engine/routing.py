"""Who works a user task and by when: groups, assignee and due date from the task's properties.

A user task is offered to the group of its lane, or to the groups its
properties name (by group name or title, resolved by the host); it may be
assigned to one person and have a due date:

| property | value |
|---|---|
| ``group`` | a group name, or several separated by commas |
| ``group_expression`` | an expression over case data giving a group name or a list of them |
| ``assignee`` / ``assignee_expression`` | a user name / an expression giving one |
| ``due_date`` | an ISO date or date-time |
| ``due_in`` | an ISO duration from when the task becomes ready (``P1W``, ``P2DT4H``) |
| ``due_expression`` | an expression giving an ISO date or date-time |

Camunda's ``candidateGroups``, ``assignee`` and ``dueDate`` are translated to
these (see ``camunda``). Expressions are evaluated in the sandbox when the task
becomes ready; the answer is kept with the task (``internal_data``), so it does
not change when the case data does.
"""
from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta, UTC

from SpiffWorkflow.util.task import TaskState

from handlers.i18n import N_

from .sandbox import ScriptRejected, compile_expression

ROUTING = "lotsen_routing"
_BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
GROUP, GROUP_EXPRESSION = "group", "group_expression"
ASSIGNEE, ASSIGNEE_EXPRESSION = "assignee", "assignee_expression"
DUE_DATE, DUE_IN, DUE_EXPRESSION = "due_date", "due_in", "due_expression"
#: Properties by which a user task names who works it (without them, its lane does).
ROUTES = (GROUP, GROUP_EXPRESSION, ASSIGNEE, ASSIGNEE_EXPRESSION)

_DURATION = re.compile(r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                       r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


class RoutingFailed(Exception):
    """A routing expression failed or gave something that is not a group, user or date."""

    def __init__(self, message: str, element: str):
        super().__init__(message)
        self.element = element


def groups_of(value) -> list[str]:
    """Group names (or titles) from a property or expression value: ``"a, b"`` or ``["a", "b"]``."""
    items = value if isinstance(value, (list, tuple)) else str(value or "").split(",")
    names = [" ".join(str(item).split()) for item in items if str(item).strip()]
    return list(dict.fromkeys(names))


def parse_duration(text: str) -> tuple[int, int, timedelta]:
    """(years, months, the rest) of an ISO 8601 duration such as ``P1W`` or ``P1Y2M3DT4H``."""
    m = _DURATION.match((text or "").strip())
    if m is None:
        raise ValueError(f"{text!r} is not an ISO 8601 duration (e.g. P1W, P2D, PT4H)")
    years, months, weeks, days, hours, minutes = (int(g or 0) for g in m.groups()[:6])
    rest = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=float(m[7] or 0))
    return years, months, rest


def add_duration(start: datetime, text: str) -> datetime:
    years, months, rest = parse_duration(text)
    month_index = start.month - 1 + months + 12 * years
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day) + rest


def parse_due(value, zone) -> datetime:
    """An ISO date (the end of that day in ``zone``) or date-time (naive: in ``zone``) as UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, datetime.max.time().replace(microsecond=0))
    else:
        text = str(value).strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            moment = datetime.combine(date.fromisoformat(text), datetime.max.time().replace(microsecond=0))
        else:
            moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def routes_by_lane(lane, root) -> bool:
    """Whether a user task in ``lane`` is offered to the lane's group (names no group or assignee of its own)."""
    refs = {(ref.text or "").strip() for ref in lane.iter(f"{{{_BPMN}}}flowNodeRef")}
    for task in root.iter(f"{{{_BPMN}}}userTask", f"{{{_BPMN}}}manualTask"):
        if task.get("id") in refs and not any(
                p.get("name") in ROUTES and (p.get("value") or "").strip()
                for p in task.iter(f"{{{_SPIFF}}}property")):
            return True
    return False


def lint(properties: dict) -> list[str]:
    """What is wrong with a user task's routing properties (expressions compiled, dates and durations read)."""
    problems = []
    for name in (GROUP_EXPRESSION, ASSIGNEE_EXPRESSION, DUE_EXPRESSION):
        if properties.get(name):
            try:
                compile_expression(properties[name].strip())
            except ScriptRejected as exc:
                problems.append(N_("%(property)s %(value)s does not compile in the sandbox: %(error)s", property=name,
                                   value=repr(properties[name]), error=str(exc)))
    if properties.get(DUE_IN):
        try:
            parse_duration(properties[DUE_IN])
        except ValueError as exc:
            problems.append(f"{DUE_IN}: {exc}")
    if properties.get(DUE_DATE):
        try:
            parse_due(properties[DUE_DATE], UTC)
        except ValueError:
            problems.append(N_("%(property)s %(value)s is not a date (2026-11-30) or date and time (2026-11-30T14:00)",
                               property=DUE_DATE, value=repr(properties[DUE_DATE])))
    return problems


class _Router:
    def __init__(self, wf, now: datetime, zone):
        self.environment = wf.script_engine.environment
        self.now, self.zone = now, zone

    def evaluate(self, task, name: str, source: str):
        try:
            return self.environment.evaluate(source, task.data)
        except Exception as exc:  # the expression's own error, named with the property
            raise RoutingFailed(f"{task.task_spec.bpmn_name or task.task_spec.bpmn_id}: {name} {source!r} "
                                f"failed: {type(exc).__name__}: {exc}", task.task_spec.bpmn_id) from None

    def route(self, task) -> dict:
        properties = dict((getattr(task.task_spec, "extensions", {}) or {}).get("properties") or {})
        groups = groups_of(properties.get(GROUP))
        if properties.get(GROUP_EXPRESSION):
            value = self.evaluate(task, GROUP_EXPRESSION, properties[GROUP_EXPRESSION])
            groups = groups_of(value)
            if not groups or not isinstance(value, (str, list, tuple)):
                raise RoutingFailed(f"{task.task_spec.bpmn_name or task.task_spec.bpmn_id}: {GROUP_EXPRESSION} "
                                    f"{properties[GROUP_EXPRESSION]!r} gave {value!r}, not a group name",
                                    task.task_spec.bpmn_id)
        assignee = properties.get(ASSIGNEE)
        if properties.get(ASSIGNEE_EXPRESSION):
            assignee = self.evaluate(task, ASSIGNEE_EXPRESSION, properties[ASSIGNEE_EXPRESSION])
        return {"groups": groups, "assignee": str(assignee).strip() if assignee else None,
                "due_at": self.due(task, properties)}

    def due(self, task, properties: dict) -> str | None:
        try:
            if properties.get(DUE_IN):
                return add_duration(self.now, properties[DUE_IN]).isoformat()
            value = properties.get(DUE_DATE)
            if properties.get(DUE_EXPRESSION):
                value = self.evaluate(task, DUE_EXPRESSION, properties[DUE_EXPRESSION])
            return parse_due(value, self.zone).isoformat() if value else None
        except (ValueError, TypeError) as exc:
            raise RoutingFailed(f"{task.task_spec.bpmn_name or task.task_spec.bpmn_id}: the due date is not an "
                                f"ISO date or date-time ({exc})", task.task_spec.bpmn_id) from None


def route_ready_tasks(wf, now: datetime, zone) -> None:
    """Decide groups, assignee and due date of every user task that became ready since the last call."""
    router = _Router(wf, now, zone)
    for task in wf.get_tasks(state=TaskState.READY, manual=True):
        if ROUTING not in task.internal_data:
            task.internal_data[ROUTING] = router.route(task)


def routing_of(task) -> dict:
    """The groups the task names itself (none: its lane decides), its assignee and due date."""
    routing = task.internal_data.get(ROUTING)
    if routing is None:  # a task made ready before routing existed
        routing = {"groups": groups_of((task.task_spec.extensions or {}).get("properties", {}).get(GROUP)),
                   "assignee": None, "due_at": None}
    return routing
