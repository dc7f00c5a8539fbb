"""The event log for process mining: every step of the cases that arrived in a period, without personal data.

One row (CSV) or event (XES, IEEE 1849-2016) per step: the case's reference,
the activity, the resource (the work group, never a person), start and end.
People's work is a task from the moment it was taken (claimed) to its
completion; what the system records about a case (arrival, supplement order,
completeness, decision …) is an event of its own with start = end.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from io import BytesIO
from itertools import groupby

from lxml import etree
from sqlalchemy import literal, null, select, union_all
from sqlalchemy.orm import Session

from app.models import Case, CaseEvent, CaseFigures, HumanTask, TaskStatus

from ..csv_export import to_csv
from .filters import Filters

XES = "http://www.xes-standard.org/"
EXTENSIONS = (("Concept", "concept"), ("Time", "time"), ("Lifecycle", "lifecycle"), ("Organizational", "org"))
CSV_HEADER = ["case_id", "activity", "resource", "start", "end"]
#: What the system records about a case, as an activity (Swedish, English).
CASE_EVENTS = {
    "received": ("Ansökan inkommen", "Application received"),
    "supplement_ordered": ("Komplettering begärd", "Supplement ordered"),
    "supplement_received": ("Komplettering inkommen", "Supplement received"),
    "complete": ("Ansökan komplett", "Application complete"),
    "extended": ("Handläggningstiden förlängd", "Deadline extended"),
    "decided": ("Beslut", "Decision"),
    "withdrawn": ("Ansökan återkallad", "Application withdrawn"),
    "legal_force": ("Laga kraft", "Legal force"),
}
SYSTEM = "system"


def _steps(session: Session, filters: Filters):
    """(case id, reference, activity sv, activity en, resource, start, end) ordered by case and end."""
    cases = select(CaseFigures.case_id).where(filters.received_in_period())
    tasks = (select(Case.id, Case.reference, HumanTask.title_sv, HumanTask.title, HumanTask.group,
                    HumanTask.claimed_at, HumanTask.completed_at, literal(0).label("order"))
             .join(Case, Case.id == HumanTask.case_id)
             .where(HumanTask.case_id.in_(cases), HumanTask.status == TaskStatus.COMPLETED))
    events = (select(Case.id, Case.reference, CaseEvent.kind, CaseEvent.kind, null(), CaseEvent.at, CaseEvent.at,
                     literal(1))
              .join(Case, Case.id == CaseEvent.case_id)
              .where(CaseEvent.case_id.in_(cases), CaseEvent.kind.in_(CASE_EVENTS)))
    both = union_all(tasks, events).subquery()
    columns = list(both.c)
    # at the same moment a person's step comes before what the system recorded as its result
    return session.execute(select(*columns[:7]).order_by(columns[0], columns[6], columns[7], columns[5])
                           .execution_options(yield_per=2000))


def _rows(session: Session, filters: Filters, lang: str) -> Iterator[tuple]:
    english = not lang.startswith("sv")
    for case_id, reference, title_sv, title, group, start, end in _steps(session, filters):
        if group is None:  # a case event: title columns hold its kind
            activity = CASE_EVENTS[title][1 if english else 0]
            resource = SYSTEM
        else:
            activity = title if english or not title_sv else title_sv
            resource = group
        yield reference or f"#{case_id}", activity, resource, start or end, end


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def csv_lines(session: Session, filters: Filters, lang: str = "sv") -> Iterator[str]:
    """The event log as CSV lines (the shape pm4py, Simod and mining tools read)."""
    yield to_csv(CSV_HEADER, [])
    for case, activity, resource, start, end in _rows(session, filters, lang):
        text = to_csv(["x"], [[case, activity, resource, _iso(start), _iso(end)]])
        yield text[text.index("\n") + 1:]


def xes(session: Session, filters: Filters, lang: str = "sv") -> bytes:
    """The event log as XES: one trace per case, a start and a complete event per step."""
    out = BytesIO()
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(_q("log"), {"xes.version": "1849-2016", "xes.features": ""}, nsmap={None: XES}):
            for name, prefix in EXTENSIONS:
                xf.write(etree.Element(_q("extension"), name=name, prefix=prefix, uri=f"{XES}{prefix}.xesext"))
            xf.write(etree.Element(_q("classifier"), name="Activity", keys="concept:name"))
            for case, steps in groupby(_rows(session, filters, lang), key=lambda row: row[0]):
                with xf.element(_q("trace")):
                    xf.write(etree.Element(_q("string"), key="concept:name", value=case))
                    for _, activity, resource, start, end in steps:
                        xf.write(_event(activity, resource, "start", start))
                        xf.write(_event(activity, resource, "complete", end))
    return out.getvalue()


def _q(tag: str) -> str:
    return f"{{{XES}}}{tag}"


def _event(activity: str, resource: str, transition: str, moment: datetime) -> etree._Element:
    event = etree.Element(_q("event"), nsmap={None: XES})
    etree.SubElement(event, _q("string"), key="concept:name", value=activity)
    etree.SubElement(event, _q("string"), key="org:group", value=resource)
    etree.SubElement(event, _q("string"), key="lifecycle:transition", value=transition)
    etree.SubElement(event, _q("date"), key="time:timestamp", value=moment.isoformat(timespec="milliseconds"))
    return event
