"""Checks on parsed specs that SpiffWorkflow does not make: code compiles in the sandbox, timers are ISO 8601,
service operations have handlers and parameters, user tasks have a form and a group, statuses exist, and form
choices come from known sources."""
from __future__ import annotations

import ast

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition, TimeDateEventDefinition, TimerEventDefinition)

from handlers.i18n import N_, Message

from . import routing
from .rules import Problem, Rules
from .sandbox import ScriptRejected, compile_expression, compile_script

FORM_DIR = "forms/"
#: Longest process, element and message id the database keeps (the ``String(120)`` columns that store them).
MAX_ID = 120
#: What does not compile, by what it is (translatable: the studio shows it in the reader's language).
NOT_COMPILING = {
    "script": N_("the script does not compile in the sandbox: %(error)s"),
    "prescript": N_("the script run before the step does not compile in the sandbox: %(error)s"),
    "postscript": N_("the script run after the step does not compile in the sandbox: %(error)s"),
    "condition": N_("the condition does not compile in the sandbox: %(error)s"),
    "timer expression": N_("the timer expression does not compile in the sandbox: %(error)s"),
    "parameter": N_("parameter %(name)s does not compile in the sandbox: %(error)s"),
}
TOO_LONG = {
    "process id": N_("the process id is longer than %(n)s characters; shorten it"),
    "element id": N_("the element id is longer than %(n)s characters; shorten it"),
    "message name": N_("the message name is longer than %(n)s characters; shorten it"),
}


def form_option_problems(forms: dict[str, dict], rules: Rules) -> list[Problem]:
    """Every ``x-options-from`` names a source of choices the host knows."""
    problems = []
    for name, schema in forms.items():
        for field_name, source in _option_fields(schema):
            if source not in rules.option_sources:
                known = ", ".join(sorted(rules.option_sources)) or "none"
                problems.append(Problem(FORM_DIR + name, None, None, N_(
                    "field %(field)s takes its choices from %(source)s, which Lotsen does not know (known: %(known)s)",
                    field=repr(field_name), source=repr(source), known=known)))
    return problems


def _option_fields(schema: dict) -> list[tuple[str, str]]:
    found = []
    for field_name, prop in (schema.get("properties") or {}).items():
        for holder in (prop, prop.get("items") if isinstance(prop, dict) else None):
            if isinstance(holder, dict) and "x-options-from" in holder:
                found.append((field_name, holder["x-options-from"]))
    return found


def _where(element: str, lines: dict) -> tuple[str | None, int | None]:
    return lines.get(element, (None, None))


def _check_expr(source, element, what, lines, problems, *, script=False, name=None):
    if source is None or (isinstance(source, str) and not source.strip()):
        return
    try:
        (compile_script if script else compile_expression)(source if script else source.strip())
    except ScriptRejected as exc:
        file, line = _where(element, lines)
        message = Message(NOT_COMPILING[what].template, error=str(exc), **({"name": repr(name)} if name else {}))
        problems.append(Problem(file, line, element, message))


def _lint_timer(ts, ed, lines, problems):
    expr = ed.expression
    _check_expr(expr, ts.bpmn_id, "timer expression", lines, problems)
    try:
        value = ast.literal_eval(expr.strip())
    except (ValueError, SyntaxError):
        return  # depends on case data; checked at run time
    file, line = _where(ts.bpmn_id, lines)
    try:
        if not isinstance(value, str):
            raise ValueError("not a string")
        if isinstance(ed, CycleTimerEventDefinition):
            TimerEventDefinition.parse_iso_recurring_interval(value)
        elif isinstance(ed, TimeDateEventDefinition):
            TimerEventDefinition.parse_time_or_duration(value)
        else:
            TimerEventDefinition.parse_iso_duration(value)
    except Exception as exc:  # the library raises bare Exception
        problems.append(Problem(file, line, ts.bpmn_id, N_(
            "timer expression %(expression)s is not a valid ISO 8601 value (%(error)s)", expression=repr(expr),
            error=str(exc))))


def lint_spec(spec, forms: dict, rules: Rules, lines: dict) -> list[Problem]:
    problems: list[Problem] = []
    if len(spec.name) > MAX_ID:
        problems.append(Problem(*_where(spec.name, lines), spec.name[:40] + "…", _too_long("process id")))
    for ts in spec.task_specs.values():
        if getattr(ts, "bpmn_id", None) is None:
            continue
        _lint_id_lengths(ts, lines, problems)
        _lint_code(ts, lines, problems)
        if getattr(ts, "operation_name", None) is not None:
            _lint_service(ts, rules, lines, problems)
        _lint_properties(ts, forms, rules, lines, problems)
    return problems


def _too_long(what: str) -> str:
    return Message(TOO_LONG[what].template, n=MAX_ID)


def _lint_id_lengths(ts, lines: dict, problems: list[Problem]) -> None:
    file, line = _where(ts.bpmn_id, lines)
    if len(ts.bpmn_id) > MAX_ID:
        problems.append(Problem(file, line, ts.bpmn_id[:40] + "…", _too_long("element id")))
    ed = getattr(ts, "event_definition", None)
    for d in getattr(ed, "event_definitions", None) or ([ed] if ed else []):
        name = getattr(d, "name", None)
        if type(d).__name__ == "MessageEventDefinition" and name and len(name) > MAX_ID:
            problems.append(Problem(file, line, ts.bpmn_id, _too_long("message name")))


def _lint_code(ts, lines: dict, problems: list[Problem]) -> None:
    """Scripts, gateway conditions and timer expressions of one element."""
    element = ts.bpmn_id
    for attr in ("script", "prescript", "postscript"):
        _check_expr(getattr(ts, attr, None), element, attr, lines, problems, script=True)
    for cond, _target in getattr(ts, "cond_task_specs", None) or []:
        if cond is not None:
            _check_expr(cond.args[0], element, "condition", lines, problems)
    ed = getattr(ts, "event_definition", None)
    for d in getattr(ed, "event_definitions", None) or ([ed] if ed is not None else []):
        if isinstance(d, TimerEventDefinition):
            _lint_timer(ts, d, lines, problems)


def _lint_properties(ts, forms: dict, rules: Rules, lines: dict, problems: list[Problem]) -> None:
    """A user task's form and group, and the status any element sets."""
    element = ts.bpmn_id
    file, line = _where(element, lines)
    ext = getattr(ts, "extensions", {}) or {}
    properties = ext.get("properties") or {}
    form = ext.get("formJsonSchemaFilename")
    if form and form not in forms:
        problems.append(Problem(file, line, element, N_("form file forms/%(form)s is missing", form=form)))
    if ts.manual and not form:
        problems.append(Problem(file, line, element,
                                N_("user task has no form (spiffworkflow:formJsonSchemaFilename)")))
    if ts.manual:
        _lint_routing(ts, properties, rules, lines, problems)
    status = properties.get("status")
    if status is not None and status not in rules.statuses:
        problems.append(Problem(file, line, element, N_("status %(status)s is not one of %(known)s",
                                                        status=repr(status), known=", ".join(sorted(rules.statuses)))))


def _lint_routing(ts, properties: dict, rules: Rules, lines: dict, problems: list[Problem]) -> None:
    """A user task names who works it (a lane, groups or an assignee), groups that exist, and sound expressions."""
    element = ts.bpmn_id
    file, line = _where(element, lines)
    if getattr(ts, "lane", None) is None and not any(properties.get(p) for p in routing.ROUTES):
        problems.append(Problem(file, line, element, N_(
            "user task is not in a lane and names no group or assignee, so nobody can work it (put it in a lane "
            "named after a group, or set camunda:candidateGroups to one of %(groups)s, or camunda:assignee)",
            groups=", ".join(sorted(rules.groups)))))
    if not properties.get(routing.GROUP_EXPRESSION):
        for group in routing.groups_of(properties.get(routing.GROUP)):
            if rules.group_for(group) is None:
                problems.append(Problem(file, line, element, rules.unknown_group("group", group)))
    problems.extend(Problem(file, line, element, message) for message in routing.lint(properties))


def _lint_service(ts, rules: Rules, lines: dict, problems: list[Problem]) -> None:
    file, line = _where(ts.bpmn_id, lines)
    op = rules.operations.get(ts.operation_name)
    if op is None:
        problems.append(Problem(file, line, ts.bpmn_id, N_(
            "service operation %(operation)s has no handler (known: %(known)s)", operation=repr(ts.operation_name),
            known=", ".join(sorted(rules.operations)))))
        return
    given = set(ts.operation_params or {})
    for missing in sorted(op.required - given):
        problems.append(Problem(file, line, ts.bpmn_id, N_("service operation %(operation)s needs parameter %(name)s",
                                                           operation=repr(op.name), name=repr(missing))))
    for extra in sorted(given - op.required - op.optional):
        problems.append(Problem(file, line, ts.bpmn_id, N_("service operation %(operation)s has no parameter %(name)s",
                                                           operation=repr(op.name), name=repr(extra))))
    for name, param in (ts.operation_params or {}).items():
        _check_expr(param.get("value"), ts.bpmn_id, "parameter", lines, problems, name=name)
