"""Statistics exports: Umeå-style open data, Boverket's yearly counts, closed cases with their clocks."""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.models import Case, CaseFigures, Outcome

from .. import audit
from ..csv_export import to_csv
from .filters import Filters
from .stats import grouped_percentiles, month_key
from .summary import TEN_WEEKS

#: Outcomes of decided cases (a case closed with advice that no permit is needed was never decided).
OUTCOMES = [o.value for o in Outcome if o is not Outcome.NO_PERMIT_NEEDED]


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def open_data(session: Session, filters: Filters) -> str:
    """One row per month and case type: received, decided by outcome, median days complete → decision,
    share within 10 weeks, share complete on arrival (Umeå's open data)."""
    f = CaseFigures
    decided_month, arrived_month = month_key(session, f.decided_on), month_key(session, f.arrived_on)
    decided = {(m, t): row for m, t, *row in session.execute(select(
        decided_month, f.case_type, *(_count_if(f.outcome == o) for o in OUTCOMES),
        _count_if(f.statutory_days <= TEN_WEEKS), _count_if(f.statutory_days.is_not(None)),
    ).where(filters.decided_in_period()).group_by(decided_month, f.case_type))}
    received = {(m, t): row for m, t, *row in session.execute(select(
        arrived_month, f.case_type, func.count(), _count_if(f.complete_on_arrival.is_(True)),
        _count_if(f.complete_on_arrival.is_not(None)),
    ).where(filters.received_in_period()).group_by(arrived_month, f.case_type))}
    medians = grouped_percentiles(session, (decided_month, f.case_type), f.statutory_days,
                                  and_(filters.decided_in_period(), f.outcome != Outcome.WITHDRAWN.value), (0.5,))
    rows = []
    for month, case_type in sorted(set(decided) | set(received), key=lambda k: (k[0], k[1] or "")):
        d = decided.get((month, case_type), [0] * (len(OUTCOMES) + 2))
        n_received, on_arrival, judged = received.get((month, case_type), (0, 0, 0))
        in_ten, with_clock = d[-2], d[-1]
        rows.append([month, case_type or "", n_received, *d[:len(OUTCOMES)],
                     (medians.get((month, case_type)) or [None])[0],
                     _percent(in_ten, with_clock), _percent(on_arrival, judged)])
    header = ["month", "case_type", "received", *(f"decided_{o}" for o in OUTCOMES),
              "median_days_complete_to_decision", "percent_within_10_weeks", "percent_complete_on_arrival"]
    return to_csv(header, rows)


def _percent(part, whole) -> float | None:
    return round(100 * int(part) / int(whole), 1) if whole else None


def boverket(session: Session, filters: Filters) -> str:
    """Per year and case type (lov types, förhandsbesked, anmälan): received and decisions by outcome."""
    f = CaseFigures
    decided_year, arrived_year = func.substr(month_key(session, f.decided_on), 1, 4), func.substr(
        month_key(session, f.arrived_on), 1, 4)
    decided = {(y, t): row for y, t, *row in session.execute(select(
        decided_year, f.case_type, func.count(), *(_count_if(f.outcome == o) for o in OUTCOMES),
    ).where(filters.decided_in_period()).group_by(decided_year, f.case_type))}
    received = dict(((y, t), n) for y, t, n in session.execute(select(arrived_year, f.case_type, func.count()).where(
        filters.received_in_period()).group_by(arrived_year, f.case_type)))
    rows = []
    for year, case_type in sorted(set(decided) | set(received), key=lambda k: (k[0], k[1] or "")):
        d = decided.get((year, case_type), [0] * (len(OUTCOMES) + 1))
        rows.append([year, case_type or "", received.get((year, case_type), 0), *d])
    return to_csv(["year", "case_type", "received", "decided", *(f"decided_{o}" for o in OUTCOMES)], rows)


CLOSED_COLUMNS = ("reference", "process", "version", "case_type", "track", "measure", "outcome", "arrived_on",
                  "complete_on", "statutory_start", "statutory_due", "decided_on", "closed_on", "statutory_days",
                  "lead_days", "completeness_days", "within_deadline", "within_goal", "extended",
                  "fee_reduction_fifths", "fee_reduction_kr", "supplement_orders", "complete_on_arrival")


def closed_cases(session: Session, filters: Filters, *, contacts: bool = False) -> Iterator[str]:
    """CSV lines of the cases decided in the period with their clock figures; with ``contacts`` the
    applicant's name and e-mail too (for the survey provider; erased cases have none)."""
    f = CaseFigures
    columns = [Case.reference] + [getattr(f, c) for c in CLOSED_COLUMNS[1:]]
    header = list(CLOSED_COLUMNS)
    if contacts:
        columns += [Case.applicant_name, Case.applicant_email, Case.redacted_at]
        header += ["applicant_name", "applicant_email"]
    query = (select(*columns).join(Case, Case.id == f.case_id).where(filters.decided_in_period())
             .order_by(f.decided_on, f.case_id).execution_options(yield_per=2000))
    yield to_csv(header, [])
    for row in session.execute(query):
        values = [v.isoformat() if hasattr(v, "isoformat") else v for v in row]
        if contacts:
            redacted = values.pop()
            if redacted:
                values[-2:] = ["", ""]
        yield _line(values)


def note_contact_export(session: Session, *, actor, filters: Filters) -> None:
    """Exporting applicants' names and e-mail addresses is audited."""
    audit.record(session, actor=actor.username, action="insight.contacts_exported", details=filters.to_dict())


def _line(values: list) -> str:
    text = to_csv(["x"], [values])
    return text[text.index("\n") + 1:]
