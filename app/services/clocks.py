"""Case clocks computed from recorded case events, never from guesses.

* Statutory clock (PBL 9 kap.): the rule set is chosen by arrival date. For
  applications that arrived before the change date (2025-12-01) the clock
  runs from the day the application was complete. From the change date it
  runs from arrival; a supplement the applicant sends on their own initiative
  restarts it; a supplement order within 3 weeks of arrival makes it run from
  the day the gaps are fixed; an order after 3 weeks does not reset it;
  nothing after the deadline resets it. Lov and förhandsbesked: 10 weeks,
  anmälan 4; one extension by the same length.
* Service-goal clock: the municipality's goal in calendar days by measure,
  counted from arrival with the time spent waiting for the applicant
  deducted (the Danish way of counting whose turn it is).
* Lead time: arrival to decision (or today), as the applicant experiences it.

All counting is in calendar days of the configured time zone.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case, CaseEvent, User

from . import audit
from .env import get_env
from .errors import CaseClosed, Forbidden, InvalidInput

SUPPLEMENT_WINDOW = timedelta(weeks=3)
#: The work groups that decide extensions (administrators may too).
STAFF_FOR_EXTENSION = {"officer", "coordinator"}
#: Phrases that name lack of staff, which the law does not accept as a reason.
STAFF_SHORTAGE_WORDS = ("resursbrist", "personalbrist", "lack of staff", "staff shortage", "hög arbetsbelastning")


@dataclass(frozen=True)
class Event:
    kind: str
    at: datetime
    data: Mapping


@dataclass
class Clocks:
    rule_set: str
    arrived_on: date | None
    statutory_weeks: int
    statutory_start: date | None
    statutory_due: date | None
    extended: bool
    extension_reason: str | None
    days_left: int | None
    service_goal_days: int
    service_goal_due: date | None
    waiting_days: int
    lead_time_days: int | None
    decided_on: date | None
    fee_reduction_fifths: int | None

    def to_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items()}


def fee_reduction_fifths(decided_on: date, due: date) -> int:
    """PBL 12 kap. 8 a §: one fifth per started week past the deadline, at most five."""
    weeks = max(0, math.ceil((decided_on - due).days / 7))
    return min(5, weeks)


def compute(events: Iterable[Event], *, case_type: str | None, measure: str | None, today: date, tz: ZoneInfo,
            rules_change: date, service_goals: Mapping[str, int], default_goal_days: int) -> Clocks:
    """Every clock of one case from its events."""
    ordered = sorted(events, key=lambda e: e.at)

    def day(e: Event) -> date:
        return e.at.astimezone(tz).date()

    received = next((e for e in ordered if e.kind == "received"), None)
    arrived = day(received) if received else None
    weeks = 4 if case_type == "anmalan" else 10
    new_rules = arrived is not None and arrived >= rules_change
    start, due = _statutory(ordered, day, arrived, weeks, new_rules)
    extension = next((e for e in ordered if e.kind == "extended"), None)
    if due is not None and extension is not None:
        due += timedelta(weeks=weeks)
    decided = next((day(e) for e in ordered if e.kind == "decided"), None)
    waiting = _waiting_days(ordered, day, today)
    goal = int(service_goals.get(measure or "", default_goal_days))
    return Clocks(
        rule_set="PBL from 2025-12-01" if new_rules else "PBL before 2025-12-01",
        arrived_on=arrived, statutory_weeks=weeks, statutory_start=start, statutory_due=due,
        extended=extension is not None, extension_reason=(extension.data or {}).get("reason") if extension else None,
        days_left=(due - today).days if due is not None and decided is None else None,
        service_goal_days=goal,
        service_goal_due=arrived + timedelta(days=goal + waiting) if arrived else None,
        waiting_days=waiting,
        lead_time_days=((decided or today) - arrived).days if arrived else None,
        decided_on=decided,
        fee_reduction_fifths=fee_reduction_fifths(decided, due) if decided and due else None,
    )


def _statutory(ordered, day, arrived, weeks, new_rules):
    if arrived is None:
        return None, None
    if not new_rules:
        complete = next((day(e) for e in ordered if e.kind == "complete"), None)
        return complete, complete + timedelta(weeks=weeks) if complete else None
    start: date | None = arrived
    waiting_for_remedy = False
    for event in ordered:
        when = day(event)
        current_due = start + timedelta(weeks=weeks) if start else None
        if current_due is not None and when > current_due:
            continue  # nothing after the deadline resets the clock
        if event.kind == "own_initiative_supplement":
            start = when
        elif event.kind == "supplement_ordered" and when - arrived <= SUPPLEMENT_WINDOW:
            waiting_for_remedy, start = True, None
        elif event.kind == "supplement_received" and waiting_for_remedy:
            waiting_for_remedy, start = False, when
    return start, start + timedelta(weeks=weeks) if start else None


def _waiting_days(ordered, day, today) -> int:
    total, since = 0, None
    for event in ordered:
        if event.kind == "supplement_ordered" and since is None:
            since = day(event)
        elif event.kind in ("supplement_received", "decided") and since is not None:
            total += (day(event) - since).days
            since = None
    if since is not None:
        total += (today - since).days
    return total


# ------------------------------------------------------------------ with a session


def events_of(session: Session, case_id: int) -> list[Event]:
    rows = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.at, CaseEvent.id))
    return [Event(r.kind, r.at, r.data or {}) for r in rows]


def clocks_for(session: Session, case: Case, *, case_type: str | None = None) -> Clocks:
    settings = get_env(session).settings
    tz = ZoneInfo(settings.timezone)
    case_type = case_type or case.case_type or (case.facts or {}).get("case_type")
    return compute(events_of(session, case.id), case_type=case_type,
                   measure=case.measure, today=utcnow().astimezone(tz).date(), tz=tz,
                   rules_change=date.fromisoformat(settings.rules_change_date),
                   service_goals=settings.service_goals, default_goal_days=settings.service_goal_days)


def record(session: Session, case: Case, kind: str, data: Mapping | None = None, *, actor: str = "system") -> None:
    session.add(CaseEvent(case_id=case.id, kind=kind, at=utcnow(), data=dict(data or {}), actor=actor))
    session.flush()


def check_extension(session: Session, case: Case, reason: str) -> Clocks:
    """Refuse an extension the law does not allow; return the clocks if it may be made."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput([{"field": "extension_reason", "message": "an extension needs a recorded reason"}])
    if any(word in reason.lower() for word in STAFF_SHORTAGE_WORDS):
        raise InvalidInput([{"field": "extension_reason",
                             "message": "lack of staff is not a valid reason for an extension"}])
    clocks = clocks_for(session, case)
    if clocks.statutory_due is None:
        raise InvalidInput([{"field": "extension_reason",
                             "message": "the statutory clock has not started, so there is nothing to extend"}])
    if clocks.extended:
        raise InvalidInput([{"field": "extension_reason",
                             "message": "the deadline has already been extended once; it cannot be extended again"}])
    if clocks.days_left is not None and clocks.days_left < 0:
        raise InvalidInput([{"field": "extension_reason",
                             "message": f"the deadline {clocks.statutory_due.isoformat()} has passed; "
                                        f"an extension must be decided before it"}])
    if clocks.decided_on is not None:
        raise InvalidInput([{"field": "extension_reason", "message": "the case is already decided"}])
    return clocks


def may_extend(user: User) -> bool:
    return user.has_role("admin") or bool(user.work_groups & STAFF_FOR_EXTENSION)


def extend(session: Session, *, actor: User, case_id: int, reason: str) -> Clocks:
    """Record an officer's decision to extend the statutory deadline once."""
    from .cases import get_case

    case = get_case(session, actor=actor, case_id=case_id)
    if not may_extend(actor):
        raise Forbidden("only case officers and coordinators decide extensions")
    if case.completed_at is not None:
        raise CaseClosed("the case is closed")
    clocks = check_extension(session, case, reason)
    record(session, case, "extended", {"reason": reason.strip(), "previous_due": clocks.statutory_due.isoformat()},
           actor=actor.username)
    audit.record(session, actor=actor.username, action="case.extended", case_id=case.id,
                 details={"reason": reason.strip(), "previous_due": clocks.statutory_due.isoformat()})
    refresh(session, case)
    return clocks_for(session, case)


def refresh(session: Session, case: Case) -> Clocks:
    """Store the clocks on the case row (for the inbox and searches)."""
    clocks = clocks_for(session, case)
    case.statutory_due = clocks.statutory_due
    case.service_goal_due = clocks.service_goal_due
    case.deadline_extended = clocks.extended
    case.fee_reduction_fifths = clocks.fee_reduction_fifths
    return clocks
