"""Process properties: what a process says about itself, read from its ``<bpmn:process>`` element.

A process owner sets them in the diagram (``spiffworkflow:properties`` under the
process's ``extensionElements``; a Camunda Modeler export's ``camunda:properties``
work too). They decide who may start the process, whether the portal offers it,
the case's reference prefix, title and list columns, and which statutory rule set
its clock follows. Every value is checked at deploy.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from lxml import etree

from .rules import Problem, Rules

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
PROPERTY_NAMESPACES = ("http://spiffworkflow.org/bpmn/schema/1.0/core", "http://camunda.org/schema/1.0/bpmn")
#: Statutory rule sets a process may follow; none means the case has only its lead time.
RULE_SETS = {"pbl": "Swedish PBL: lov and förhandsbesked 10 + 10 weeks, anmälan 4 + 4 weeks"}
#: Who may start a process besides roles and groups: anyone working for the municipality.
STAFF = "staff"
#: Nobody starts the process by hand: other processes call it (Camunda's ``isStartableInTasklist="false"``).
CALLED_ONLY = "none"
CAMUNDA_STARTABLE = "{http://camunda.org/schema/1.0/bpmn}isStartableInTasklist"
KNOWN = {
    "title_sv": "the process's name in Swedish", "title_en": "the process's name in English",
    "apply_sv": "the portal's button in Swedish", "apply_en": "the portal's button in English",
    "description_sv": "a line under the portal's button", "description_en": "the same in English",
    "public": "true: applicants start it in the portal",
    "start_roles": f"who may start it ('{CALLED_ONLY}': only other processes, through a call activity)",
    "reference_prefix": "e.g. BYGG, ANM", "case_title": "e.g. {property_designation}",
    "list_columns": "case data shown in lists", "rule_set": "pbl, or none", "case_type": "e.g. anmalan",
}
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PREFIX = re.compile(r"^[A-ZÅÄÖ0-9-]{1,10}$")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def read(root) -> dict[str, tuple[str | None, int | None, dict[str, str]]]:
    """{process id: (its name, its line, {property: value})} for every process in a BPMN document."""
    found = {}
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        values: dict[str, str] = {}
        ext = process.find(f"{{{BPMN_NS}}}extensionElements")
        for holder in (ext if ext is not None else []):
            if not isinstance(holder.tag, str) or etree.QName(holder).localname != "properties":
                continue
            if etree.QName(holder).namespace not in PROPERTY_NAMESPACES:
                continue
            for prop in holder:
                if isinstance(prop.tag, str) and prop.get("name"):
                    values[prop.get("name")] = (prop.get("value") or "").strip()
        if process.get(CAMUNDA_STARTABLE, "").strip() == "false":
            values.setdefault("start_roles", CALLED_ONLY)
        found[process.get("id")] = (process.get("name"), process.sourceline, values)
    return found


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _value_problems(values: Mapping[str, str], rules: Rules) -> list[str]:
    messages = [f"process property {name!r} is not known (known: {', '.join(sorted(KNOWN))})"
                for name in sorted(set(values) - set(KNOWN))]
    if values.get("public", "false").lower() not in ("true", "false"):
        messages.append(f"process property public is {values['public']!r}; use true or false")
    starters = _csv(values.get("start_roles", ""))
    messages += [f"start_roles names {who!r}, which is neither a role ({', '.join(sorted(rules.roles))}), "
                 f"'{STAFF}', '{CALLED_ONLY}' (only other processes start it) nor a group" for who in starters
                 if who not in rules.roles and who not in (STAFF, CALLED_ONLY) and rules.group_for(who) is None]
    if CALLED_ONLY in starters and (len(starters) > 1 or values.get("public", "false").lower() == "true"):
        messages.append(f"start_roles '{CALLED_ONLY}' means only other processes start it: name nobody else "
                        "and do not make it public")
    prefix = values.get("reference_prefix")
    if prefix is not None and not PREFIX.match(prefix):
        messages.append(f"reference_prefix {prefix!r} must be 1–10 capital letters, digits or '-' (e.g. BYGG, ANM)")
    if values.get("rule_set") and values["rule_set"] not in RULE_SETS:
        messages.append(f"rule_set {values['rule_set']!r} is not known (known: {', '.join(RULE_SETS)}; "
                        f"leave it out for a process with no statutory deadline)")
    return messages


def _name_problems(values: Mapping[str, str]) -> list[str]:
    messages = [f"list_columns names {column!r}, which is not a variable name"
                for column in _csv(values.get("list_columns", "")) if not IDENTIFIER.match(column)]
    messages += [f"case_title has {{{name}}}; a placeholder names one variable, e.g. {{property_designation}}"
                 for name in PLACEHOLDER.findall(values.get("case_title", "")) if not IDENTIFIER.match(name)]
    return messages


def check(file: str, line: int | None, process_id: str, values: Mapping[str, str], rules: Rules) -> list[Problem]:
    """Every problem of one process's properties, named."""
    return [Problem(file, line, process_id, message)
            for message in _value_problems(values, rules) + _name_problems(values)]


def normalise(process_id: str, name: str | None, values: Mapping[str, str]) -> dict:
    """The stored form: typed values and defaults (a process without properties is started by staff)."""
    public = values.get("public", "false").lower() == "true"
    roles = _csv(values.get("start_roles", "")) or [STAFF]
    if public and "applicant" not in roles:
        roles.append("applicant")
    if CALLED_ONLY in roles:
        roles, public = [], False
    title = name or process_id.replace("_", " ").capitalize()
    return {
        "title_sv": values.get("title_sv") or title, "title_en": values.get("title_en") or title,
        "apply_sv": values.get("apply_sv") or None, "apply_en": values.get("apply_en") or None,
        "description_sv": values.get("description_sv") or None, "description_en": values.get("description_en") or None,
        "public": public, "start_roles": roles,
        "reference_prefix": values.get("reference_prefix") or default_prefix(process_id),
        "case_title": values.get("case_title") or None,
        "list_columns": _csv(values.get("list_columns", "")),
        "rule_set": values.get("rule_set") or None, "case_type": values.get("case_type") or None,
    }


def default_prefix(process_id: str) -> str:
    """A reference prefix from the process id when the diagram gives none (``invoice`` → ``INVOICE``)."""
    letters = re.sub(r"[^A-Za-z0-9]", "", process_id).upper()
    return (letters or "CASE")[:10]
