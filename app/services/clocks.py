"""Case clocks computed from recorded case events, never from guesses.

* Statutory clock (PBL 9 kap., unchanged since 2019-01-01, also by the 2025
  reform): the deadline runs from the day the application *arrived*, or from a
  later day on which the applicant sent material on their own initiative. A
  supplement order (föreläggande) within 3 weeks of that day stops the clock
  until the gaps are actually remedied; it then runs from the day the reply
  that remedied them arrived. A reply that does not remedy them starts
  nothing, and a further order does not open a new window. An order after the
  3 weeks never moves the clock, and nothing after the deadline resets it. A
  case decided as it stands after an unanswered order never had its clock
  started. Lov and förhandsbesked: 10 weeks, anmälan 4; one extension by at
  most the same length.
* Service-goal clock: the municipality's goal in calendar days by measure,
  counted from arrival with the time spent waiting for the applicant
  deducted (the Danish way of counting whose turn it is).
* Lead time: arrival to decision (or today), as the applicant experiences it.

All counting is in calendar days of the configured time zone.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import event as orm_event, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case, CaseEvent

from . import process_info
from .clock_fold import Fold
from .clock_rules import Clocks, Event, fee_reduction_fifths, statutory_weeks
from .env import get_env

__all__ = ["Clocks", "Event", "clocks_for", "compute", "events_of", "fee_reduction_fifths", "local_today",
           "record", "refresh", "statutory_weeks"]



def compute(events: Iterable[Event], *, case_type: str | None, measure: str | None, today: date, tz: ZoneInfo,
            service_goals: Mapping[str, int], default_goal_days: int) -> Clocks:
    """Every clock of one case from its events."""
    fold = Fold(tz=tz, weeks=statutory_weeks(case_type))
    for event in sorted(events, key=lambda e: e.at):
        fold.feed(0, event.kind, event.at, event.data or {})
    return fold.result(measure=measure, today=today, service_goals=service_goals,
                       default_goal_days=default_goal_days)


# ------------------------------------------------------------------ with a session


def events_of(session: Session, case_id: int) -> list[Event]:
    rows = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.at, CaseEvent.id))
    return [Event(r.kind, r.at, r.data or {}) for r in rows]


def local_today(session: Session) -> date:
    return utcnow().astimezone(ZoneInfo(get_env(session).settings.timezone)).date()


def clocks_for(session: Session, case: Case, *, case_type: str | None = None) -> Clocks:
    return _clocks(session, case, case_type=case_type)[0]


def _clocks(session: Session, case: Case, *, case_type: str | None = None) -> tuple[Clocks, Fold]:
    """The case's clocks and the fold they were read from (the saved one, fed the events since)."""
    settings = get_env(session).settings
    tz = ZoneInfo(settings.timezone)
    case_type = case_type or case.case_type or (case.facts or {}).get("case_type")
    fold = _fold(session, case, tz, statutory_weeks(case_type))
    result = fold.result(measure=case.measure, today=utcnow().astimezone(tz).date(),
                         service_goals=settings.service_goals, default_goal_days=settings.service_goal_days)
    return (result if process_info.of(case.process_version).rule_set else _lead_time_only(result)), fold


#: ``session.info`` key: {case id: the case's fold, fed every event of the case so far}. A step asks for the
#: clocks several times (its handlers, then the save) and records events in between: it reads them once.
FOLDS = "clock_folds"


def _fold(session: Session, case: Case, tz: ZoneInfo, weeks: int) -> Fold:
    """The case's saved fold fed the events recorded since; built from all events when it cannot go on."""
    held = session.info.get(FOLDS, {}).get(case.id) if case.id is not None else None
    if held is not None and held.tz.key == tz.key and held.weeks == weeks:
        return held
    fold = Fold.load(case.clock_state, tz=tz, weeks=weeks)
    if case.id is None:
        return fold or Fold(tz=tz, weeks=weeks)
    rows = _event_rows(session, case.id, after=fold.last_id if fold else 0)
    if fold is not None and rows and fold.last_at is not None and rows[0].at < fold.last_at:
        fold, rows = None, _event_rows(session, case.id, after=0)  # an event dated before what it took in
    fold = fold or Fold(tz=tz, weeks=weeks)
    for row in rows:
        fold.feed(row.id, row.kind, row.at, row.data or {})
    session.info.setdefault(FOLDS, {})[case.id] = fold
    return fold


def _event_rows(session: Session, case_id: int, *, after: int) -> list:
    return list(session.execute(select(CaseEvent.id, CaseEvent.kind, CaseEvent.at, CaseEvent.data)
                                .where(CaseEvent.case_id == case_id, CaseEvent.id > after)
                                .order_by(CaseEvent.at, CaseEvent.id)))


def _lead_time_only(clocks: Clocks) -> Clocks:
    """The clocks of a process that follows no statutory rule set: only the lead time runs."""
    blank = {"statutory_start": None, "start_basis": None, "statutory_due": None, "awaiting_remedy": False,
             "order_window_ends": None, "extended": False, "extension_weeks": None, "days_left": None,
             "fee_reduction_fifths": None, "service_goal_due": None}
    names = {f.name for f in fields(clocks)}
    return replace(clocks, **{k: v for k, v in blank.items() if k in names})


def record(session: Session, case: Case, kind: str, data: Mapping | None = None, *, actor: str = "system") -> None:
    row = CaseEvent(case_id=case.id, kind=kind, at=utcnow(), data=dict(data or {}), actor=actor)
    session.add(row)
    session.flush()
    folds = session.info.get(FOLDS, {})
    held = folds.get(case.id)
    if held is None:
        return
    if held.last_at is not None and row.at < held.last_at:  # dated before what it took in: start over
        del folds[case.id]
    else:  # as the event reads back from the database
        held.feed(row.id, row.kind, row.at, json.loads(json.dumps(row.data)))


def forget(session: Session, case: Case | None = None) -> None:
    """Drop the folds held for the session (or for one case) after its events changed other than by ``record``."""
    if case is None:
        session.info.pop(FOLDS, None)
    else:
        session.info.get(FOLDS, {}).pop(case.id, None)


@orm_event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, _transaction) -> None:
    """A rollback (of a savepoint too) may take back events a held fold took in."""
    forget(session)


def refresh(session: Session, case: Case) -> Clocks:
    """Store the clocks on the case row (for the inbox and searches), and the fold for the next action."""
    clocks, fold = _clocks(session, case)
    case.clock_state = fold.dump()
    case.statutory_due = clocks.statutory_due
    case.service_goal_due = clocks.service_goal_due
    case.deadline_extended = clocks.extended
    case.fee_reduction_fifths = clocks.fee_reduction_fifths
    return clocks
