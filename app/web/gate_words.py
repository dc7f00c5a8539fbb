"""The deploy gate's report in the reader's language.

The engine words its findings in English (the API and the command line show
them as they are); a finding it can word again carries its values in ``args``.
Pages show a stored report as it stands today: a warning that a group has no
members goes once someone is in the group.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import get_locale, gettext as _


def _task(args: Mapping) -> str:
    swedish = str(get_locale() or "sv") == "sv"
    return (args.get("task_sv") if swedish else None) or args.get("task") or ""


def _where(where: str) -> str:
    """Where an element reads a name (``app.engine.gate.names`` says it in English)."""
    fixed = {
        "its script": _("its script"), "its pre-script": _("its pre-script"), "its post-script": _("its post-script"),
        "its timer": _("its timer"), "its collection": _("its collection"),
        "a condition on its outgoing flow": _("a condition on its outgoing flow"),
        "its group expression": _("its group expression"), "its assignee expression": _("its assignee expression"),
        "its due expression": _("its due date expression"),
    }
    if where in fixed:
        return fixed[where]
    if m := re.fullmatch(r"the default of form field '(.+)'", where):
        return _("the default of the form field “%(name)s”", name=m.group(1))
    if m := re.fullmatch(r"parameter '(.+)'", where):
        return _("the parameter “%(name)s”", name=m.group(1))
    if m := re.fullmatch(r"decision (.+)", where):
        return _("the decision %(name)s", name=m.group(1))
    return where


def finding_text(finding: Mapping, group_titles: Mapping[str, str] | None = None) -> str:
    """One finding in the reader's language (its English message when it carries no values)."""
    args, kind = finding.get("args") or {}, finding.get("kind")
    if kind == "group" and args.get("groups"):
        groups = ", ".join((group_titles or {}).get(g) or g for g in args["groups"])
        return _("%(task)s is offered to %(groups)s, which has no members yet", task=_task(args), groups=groups)
    if kind == "labels" and args.get("field"):
        return _("The field “%(field)s” of the form %(form)s has no Swedish label", field=args["field"],
                 form=args.get("form", ""))
    if kind == "labels" and args.get("task"):
        return _("%(task)s has no Swedish title: the Swedish inbox would show the English name", task=_task(args))
    if kind == "names" and args.get("name"):
        return _("%(task)s reads “%(name)s” (%(where)s), which no earlier step can have set", task=_task(args),
                 name=args["name"], where=_where(str(args.get("where") or "")))
    if kind == "path" and args.get("dead_end"):
        return _("Dead end: after %(after)s nothing can happen any more and the case is not finished",
                 after=args.get("after") or "")
    if kind == "path" and args.get("task") and args.get("name"):
        return _("%(task)s fails on this path: it reads “%(name)s”, which no step before it on the path has set",
                 task=_task(args), name=args["name"])
    if kind == "path" and args.get("task"):
        return _("%(task)s fails on this path: %(error)s", task=_task(args), error=args.get("error") or "")
    if kind == "reachability" and args.get("task"):
        return _("%(task)s cannot be reached: no path from the start event leads to it", task=args["task"])
    if kind == "coverage" and args:
        return _("%(process)s is too large to walk every path: the walk stopped at its limit after %(paths)s paths, "
                 "reaching %(reached)s of %(total)s elements", process=args.get("process"),
                 paths=args.get("paths"), reached=args.get("reached"), total=args.get("total"))
    return str(finding.get("message") or "")


def summary_text(report: Mapping) -> str:
    """What the walk covered, one sentence per process."""
    parts = []
    for c in report.get("coverage") or []:
        line = _("%(process)s: %(paths)s paths walked, %(reached)s of %(total)s elements reached",
                 process=c.get("process"), paths=c.get("paths"), reached=len(c.get("elements_reached") or []),
                 total=c.get("elements_total"))
        if not c.get("complete", True):
            line += " " + _("(stopped at its limit: not every path was walked)")
        parts.append(line)
    return "; ".join(parts)


def _still_true(warning: Mapping, staffed: frozenset[str]) -> bool:
    groups = (warning.get("args") or {}).get("groups") if warning.get("kind") == "group" else None
    return not (groups and any(g in staffed for g in groups))


def shown(report: Mapping | None, staffed: frozenset[str], group_titles: Mapping[str, str]) -> dict | None:
    """A stored report as a page shows it: verdict, summary and warnings as they stand today."""
    if not report:
        return None
    warnings = [finding_text(w, group_titles) for w in report.get("warnings") or [] if _still_true(w, staffed)]
    verdict = report.get("verdict")
    if verdict == "passed_with_warnings" and not warnings:
        verdict = "passed"
    return {"verdict": verdict, "summary": summary_text(report), "warnings": warnings}
