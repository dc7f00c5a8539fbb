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

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case, CaseEvent

from . import process_info
from .clock_fold import Fold
from .env import get_env

SUPPLEMENT_WINDOW = timedelta(weeks=3)


class Basis:
    """Why the statutory clock runs from its start day."""

    ARRIVAL = "arrival"
    OWN_INITIATIVE = "own_initiative_supplement"
    REMEDY = "remedy"


@dataclass(frozen=True)
class Event:
    kind: str
    at: datetime
    data: Mapping


@dataclass
class Clocks:
    arrived_on: date | None
    statutory_weeks: int
    statutory_start: date | None
    #: Basis.* — why the clock runs from ``statutory_start``.
    start_basis: str | None
    statutory_due: date | None
    #: A supplement order within the window waits for the gaps to be remedied.
    awaiting_remedy: bool
    #: The day of the latest reply to that order (remedies the gaps once the coordinator finds it complete).
    reply_on: date | None
    #: The last day a supplement order still stops the clock (None once it no longer can).
    order_window_ends: date | None
    #: Decided on the material at hand after an unanswered order: the clock never started.
    as_it_stands: bool
    extended: bool
    extension_weeks: int | None
    extension_reason: str | None
    days_left: int | None
    service_goal_days: int
    service_goal_due: date | None
    waiting_days: int
    lead_time_days: int | None
    decided_on: date | None
    fee_reduction_fifths: int | None
    #: How many supplement orders (förelägganden) the case has had.
    supplement_orders: int = 0
    #: The day the application became complete (arrival, a remedying reply or own-initiative material);
    #: None until the coordinator found it complete.
    complete_on: date | None = None

    def to_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items()}


def statutory_weeks(case_type: str | None) -> int:
    """The statutory time of a case type: anmälan 4 weeks, lov and förhandsbesked 10."""
    return 4 if case_type == "anmalan" else 10


def fee_reduction_fifths(decided_on: date, due: date) -> int:
    """PBL 12 kap. 8 a §: one fifth per started week past the deadline, at most five."""
    weeks = max(0, math.ceil((decided_on - due).days / 7))
    return min(5, weeks)


@dataclass
class _Statutory:
    """The statutory clock while the events are replayed in order."""

    weeks: int
    start: date | None
    basis: str | None
    window_from: date | None
    awaiting_remedy: bool = False
    reply_on: date | None = None
    as_it_stands: bool = False
    extension_weeks: int = 0

    @property
    def due(self) -> date | None:
        return self.start + timedelta(weeks=self.weeks + self.extension_weeks) if self.start else None

    def restart(self, day: date, basis: str) -> None:
        self.start, self.basis, self.window_from = day, basis, day
        self.awaiting_remedy, self.reply_on, self.as_it_stands = False, None, False

    def apply(self, kind: str, day: date, data: Mapping) -> None:
        if self.due is not None and day > self.due:
            return  # nothing after the deadline resets the clock
        handler = getattr(self, f"_on_{kind}", None)
        if handler is not None:
            handler(day, data)

    def _on_own_initiative_supplement(self, day: date, data: Mapping) -> None:
        if self.awaiting_remedy:
            self.reply_on = day  # material sent while an order is outstanding answers that order
        else:
            self.restart(day, Basis.OWN_INITIATIVE)

    def _on_supplement_ordered(self, day: date, data: Mapping) -> None:
        if self.awaiting_remedy:
            self.reply_on = None  # a further order: the clock stays stopped, the window does not reopen
        elif self.window_from is not None and day - self.window_from <= SUPPLEMENT_WINDOW:
            self.awaiting_remedy, self.start, self.basis, self.reply_on = True, None, None, None

    def _on_supplement_received(self, day: date, data: Mapping) -> None:
        if self.awaiting_remedy:
            self.reply_on = day

    def _on_complete(self, day: date, data: Mapping) -> None:
        if self.awaiting_remedy:
            remedied = data.get("remedied_on")
            self.start = date.fromisoformat(remedied) if remedied else (self.reply_on or day)
            self.basis, self.awaiting_remedy, self.window_from = Basis.REMEDY, False, None

    def _on_decided_as_it_stands(self, day: date, data: Mapping) -> None:
        if self.awaiting_remedy:
            self.as_it_stands, self.awaiting_remedy, self.window_from = True, False, None

    def _on_extended(self, day: date, data: Mapping) -> None:
        self.extension_weeks = int(data.get("weeks") or self.weeks)


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


def _fold(session: Session, case: Case, tz: ZoneInfo, weeks: int) -> Fold:
    """The case's saved fold fed the events recorded since; built from all events when it cannot go on."""
    fold = Fold.load(case.clock_state, tz=tz, weeks=weeks)
    if case.id is None:
        return fold or Fold(tz=tz, weeks=weeks)
    rows = _event_rows(session, case.id, after=fold.last_id if fold else 0)
    if fold is not None and rows and fold.last_at is not None and rows[0].at < fold.last_at:
        fold, rows = None, _event_rows(session, case.id, after=0)  # an event dated before what it took in
    fold = fold or Fold(tz=tz, weeks=weeks)
    for row in rows:
        fold.feed(row.id, row.kind, row.at, row.data or {})
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
    session.add(CaseEvent(case_id=case.id, kind=kind, at=utcnow(), data=dict(data or {}), actor=actor))
    session.flush()


def refresh(session: Session, case: Case) -> Clocks:
    """Store the clocks on the case row (for the inbox and searches), and the fold for the next action."""
    clocks, fold = _clocks(session, case)
    case.clock_state = fold.dump()
    case.statutory_due = clocks.statutory_due
    case.service_goal_due = clocks.service_goal_due
    case.deadline_extended = clocks.extended
    case.fee_reduction_fifths = clocks.fee_reduction_fifths
    return clocks
