"""What a deployed process says about itself (its properties): who may start it, whether the portal offers it,
how its cases are named and listed, and which statutory rule set its clock follows."""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from functools import lru_cache

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.engine import process_properties
from app.models import Case, ProcessVersion, User


@dataclass(frozen=True)
class ProcessInfo:
    model: str
    title_sv: str
    title_en: str
    apply_sv: str | None
    apply_en: str | None
    description_sv: str | None
    description_en: str | None
    public: bool
    start_roles: tuple[str, ...]
    reference_prefix: str
    case_title: str | None
    list_columns: tuple[str, ...]
    rule_set: str | None
    case_type: str | None
    #: The start event's form file (under forms/), if any.
    start_form: str | None = None

    def title(self, locale: str | None) -> str:
        return self.title_sv if (locale or "sv").startswith("sv") else self.title_en

    def description(self, locale: str | None) -> str | None:
        return self.description_sv if (locale or "sv").startswith("sv") else self.description_en

    def apply_label(self, locale: str | None) -> str | None:
        """The portal's own words for applying, if the process gives them."""
        return self.apply_sv if (locale or "sv").startswith("sv") else self.apply_en


def _from(model: str, props: dict) -> ProcessInfo:
    names = {f.name for f in fields(ProcessInfo)} - {"model"}
    values = {k: v for k, v in props.items() if k in names}
    values["start_roles"] = tuple(values.get("start_roles") or ())
    values["list_columns"] = tuple(values.get("list_columns") or ())
    return ProcessInfo(model=model, **values)


@lru_cache(maxsize=512)
def _read_from_files(version_id: int, model: str, bpmn_texts: tuple[str, ...]) -> dict:
    """Properties of a version deployed before they were stored: read them from its diagram."""
    for text in bpmn_texts:
        try:
            root = etree.fromstring(text.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            continue
        found = process_properties.read(root)
        if model in found:
            name, _line, values = found[model]
            return process_properties.normalise(model, name, values)
    return process_properties.normalise(model, None, {})


def of(version: ProcessVersion) -> ProcessInfo:
    props = (version.properties or {}).get("process")
    if props is None:  # deployed before revision 0011
        texts = tuple(t for n, t in sorted(version.files.items()) if n.endswith(".bpmn"))
        props = _read_from_files(version.id, version.model, texts)
        props = props | {"start_form": "application.json" if "forms/application.json" in version.files else None}
    return _from(version.model, props)


_SWEDISH_STEPS: dict[str, bool] = {}


def names_steps_in_swedish(version: ProcessVersion) -> bool:
    """Whether the version's diagrams give any step a Swedish title (``title_sv``). A process that names its
    steps in one language only (a diagram from another tool, say) is shown with those names in either language."""
    found = _SWEDISH_STEPS.get(version.content_hash)
    if found is None:
        found = any(_titles_a_step_in_swedish(text) for name, text in version.files.items() if name.endswith(".bpmn"))
        _SWEDISH_STEPS[version.content_hash] = found
    return found


def _titles_a_step_in_swedish(text: str) -> bool:
    try:
        root = etree.fromstring(text.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return False
    for prop in root.iter("{*}property"):
        owner = prop.getparent().getparent().getparent()  # property < properties < extensionElements < element
        if prop.get("name") == "title_sv" and owner is not None and etree.QName(owner).localname != "process":
            return True
    return False


def may_start(user: User, info: ProcessInfo) -> bool:
    """Whether ``user`` may start a case of the process: by role, by group, or as staff when it allows staff."""
    allowed = set(info.start_roles)
    if user.roles & allowed or user.work_groups & allowed:
        return True
    return process_properties.STAFF in allowed and user.is_staff


def latest_versions(session: Session) -> list[ProcessVersion]:
    """The latest version of every deployed process, by name."""
    newest = select(ProcessVersion.model, func.max(ProcessVersion.number).label("n")).group_by(ProcessVersion.model)
    sub = newest.subquery()
    on = (ProcessVersion.model == sub.c.model) & (ProcessVersion.number == sub.c.n)
    return list(session.scalars(select(ProcessVersion).join(sub, on).order_by(ProcessVersion.model)))


def startable(session: Session, user: User, *, public_only: bool = False) -> list[tuple[ProcessInfo, ProcessVersion]]:
    """The processes ``user`` may start now (the portal: only public ones), by title."""
    found = [(of(v), v) for v in latest_versions(session)]
    found = [(i, v) for i, v in found if may_start(user, i) and (i.public or not public_only)]
    return sorted(found, key=lambda iv: iv[0].title_sv.casefold())


def _value(facts: dict, name: str) -> str:
    value = facts.get(name)
    return "" if value is None else str(value)


def case_title(case: Case) -> str | None:
    """The case's title from the process's ``case_title`` (``{name}`` placeholders filled from case data)."""
    template = of(case.process_version).case_title
    if not template:
        return None
    facts = case.facts or {}
    title = re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: _value(facts, m.group(1)), template).strip(" ,—-")
    return title or None


def list_values(case: Case) -> list[tuple[str, object]]:
    """(column, value) of the process's list columns for this case."""
    facts = case.facts or {}
    return [(c, facts.get(c)) for c in of(case.process_version).list_columns]
