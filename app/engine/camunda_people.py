"""Who works a Camunda user task and by when: candidate groups, assignee, due date (see ``routing``)."""
from __future__ import annotations

import re

from lxml import etree

from . import routing
from .camunda_xml import NS, camunda_attr, set_property
from .expressions import Untranslatable, translate_expression

_UNITS = {"Years": "Y", "Months": "M", "Weeks": "W", "Days": "D", "Hours": "H", "Minutes": "MIN", "Seconds": "S"}
_DATE_TIME = re.compile(r"^[$#]\{\s*dateTime\(\)\s*((?:\.\s*(?:plus|minus)[A-Za-z]+\(\s*-?\d+\s*\)\s*)*)"
                        r"(?:\.\s*toDate\(\)\s*)?\}$")
_STEP = re.compile(r"\.\s*(plus|minus)([A-Za-z]+)\(\s*(-?\d+)\s*\)")
_FEEL_NOW = re.compile(r'^=\s*now\(\)\s*(?:\+\s*duration\(\s*"([^"]+)"\s*\)\s*)?$')
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$")
_FEEL_LIST = re.compile(r'^=\s*\[\s*((?:"[^"]*"\s*,?\s*)*)\]$')


def joda_duration(text: str) -> str:
    """``${dateTime().plusWeeks(1).plusDays(2).toDate()}`` as an ISO duration (``P1W2D`` → ``P9D``)."""
    m = _DATE_TIME.match(text.strip())
    if m is None:
        raise Untranslatable("only dateTime() with plusYears/Months/Weeks/Days/Hours/Minutes/Seconds(n) and "
                             "toDate() can be read")
    totals = dict.fromkeys(_UNITS.values(), 0)
    for sign, unit, amount in _STEP.findall(m[1]):
        if unit not in _UNITS:
            raise Untranslatable(f"{sign}{unit}(…) is not a date step Lotsen knows")
        totals[_UNITS[unit]] += int(amount) * (1 if sign == "plus" else -1)
    if any(v < 0 for v in totals.values()):
        raise Untranslatable("a due date before the task is created makes no sense")
    days = totals["W"] * 7 + totals["D"]
    date_part = "".join(f"{v}{u}" for u, v in (("Y", totals["Y"]), ("M", totals["M"]), ("D", days)) if v)
    time_part = "".join(f"{v}{u}" for u, v in (("H", totals["H"]), ("M", totals["MIN"]), ("S", totals["S"])) if v)
    return "P" + (date_part or ("" if time_part else "0D")) + (f"T{time_part}" if time_part else "")


class PeopleMixin:
    """The user-task routing part of the Camunda translator (``issue`` comes from it)."""

    def people(self, el: etree._Element) -> None:
        assignment = el.find("bpmn:extensionElements/zeebe:assignmentDefinition", NS)
        schedule = el.find("bpmn:extensionElements/zeebe:taskSchedule", NS)
        groups = camunda_attr(el, "candidateGroups")
        assignee = camunda_attr(el, "assignee")
        due = camunda_attr(el, "dueDate")
        if assignment is not None:
            groups = groups if groups is not None else assignment.get("candidateGroups")
            assignee = assignee if assignee is not None else assignment.get("assignee")
        if schedule is not None and due is None:
            due = schedule.get("dueDate")
        if camunda_attr(el, "candidateUsers") or (assignment is not None and assignment.get("candidateUsers")):
            self.issue(el, "candidate users are not supported: Lotsen offers a task to groups or assigns it to one "
                           "person (use candidateGroups, or assignee)")
        if groups is not None:
            self.groups(el, groups.strip())
        if assignee is not None and assignee.strip():
            self.person(el, assignee.strip())
        if due is not None and due.strip():
            self.due(el, due.strip())

    def expression(self, el: etree._Element, text: str, what: str) -> str | None:
        try:
            return translate_expression(text)
        except Untranslatable as exc:
            self.issue(el, f"{what} {text!r} cannot be translated: {exc}")
            return None

    def groups(self, el: etree._Element, value: str) -> None:
        listed = _FEEL_LIST.match(value)
        if listed:
            value = ",".join(re.findall(r'"([^"]*)"', listed[1]))
        elif value.startswith(("${", "#{", "=")):
            python = self.expression(el, value, "candidate groups")
            if python is not None:
                set_property(el, routing.GROUP_EXPRESSION, python)
            return
        names = routing.groups_of(value)
        if not names:
            self.issue(el, "candidate groups are empty; name the groups that work this task")
            return
        set_property(el, routing.GROUP, ",".join(names))

    def person(self, el: etree._Element, value: str) -> None:
        if value.startswith(("${", "#{", "=")):
            python = self.expression(el, value, "assignee")
            if python is not None:
                set_property(el, routing.ASSIGNEE_EXPRESSION, python)
        else:
            set_property(el, routing.ASSIGNEE, value)

    def due(self, el: etree._Element, value: str) -> None:
        feel_now = _FEEL_NOW.match(value)
        if _ISO_DATE.match(value):
            set_property(el, routing.DUE_DATE, value)
        elif feel_now:
            set_property(el, routing.DUE_IN, feel_now[1] or "PT0S")
        elif value.startswith(("${", "#{")) and "dateTime()" in value:
            try:
                set_property(el, routing.DUE_IN, joda_duration(value))
            except Untranslatable as exc:
                self.issue(el, f"due date {value!r} cannot be translated: {exc}")
        elif value.startswith(("${", "#{", "=")):
            python = self.expression(el, value, "due date")
            if python is not None:
                set_property(el, routing.DUE_EXPRESSION, python)
        else:
            self.issue(el, f"due date {value!r} is neither an ISO date nor an expression")
