"""Decisions taken on delegation, listed per period for the committee (anmälan av delegationsbeslut)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Case, CaseEvent, User
from handlers.i18n import N_

from .env import get_env
from .dates import typed_day
from .errors import Forbidden, InvalidInput

#: Who reads the list: the committee's secretaries and administrators.
READERS = frozenset({"committee"})


@dataclass(frozen=True)
class DelegatedDecision:
    decided_at: datetime
    case_id: int
    reference: str
    property_designation: str
    case_type: str | None
    measure: str
    outcome: str
    group: str
    decided_by: str
    rule: str


def may_read(user: User) -> bool:
    return bool(user.work_groups & READERS) or user.has_role("admin")


def parse_period(start: str | None, end: str | None, *, today: date) -> tuple[date, date]:
    """The period asked for (``YYYY-MM-DD``, both days included); by default the last month up to today."""
    def day(name: str, raw: str | None, default: date) -> date:
        return typed_day(raw, name) if raw else default

    first_of_last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    begin, finish = day("from", start, first_of_last_month), day("to", end, today)
    if finish < begin:
        raise InvalidInput([{"field": "to", "message": N_("must not be before the start of the period")}])
    return begin, finish


def delegated_decisions(session: Session, *, actor: User, start: date, end: date) -> list[DelegatedDecision]:
    """Every decision taken on delegation from ``start`` to ``end`` (local days, both included), oldest first."""
    if not may_read(actor):
        raise Forbidden(N_("only committee secretaries and administrators read the delegation decisions"))
    tz = ZoneInfo(get_env(session).settings.timezone)
    begin = datetime.combine(start, time.min, tzinfo=tz)
    finish = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    rows = session.execute(
        select(CaseEvent, Case).join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.kind == "decision_taken", CaseEvent.at >= begin, CaseEvent.at < finish)
        .order_by(CaseEvent.at, CaseEvent.id)).all()
    names = {u.username: u.display_name for u in session.scalars(
        select(User).where(User.username.in_({event.actor for event, _ in rows})))}
    return [DelegatedDecision(
        decided_at=event.at, case_id=case.id, reference=case.reference or f"#{case.id}",
        property_designation=case.property_designation, case_type=case.case_type, measure=case.measure,
        outcome=event.data.get("outcome", ""), group=event.data.get("group", ""),
        decided_by=names.get(event.actor, event.actor), rule=event.data.get("rule", ""))
        for event, case in rows if event.data.get("on_delegation")]


