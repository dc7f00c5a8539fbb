"""The per-case figures projection (``CaseFigures``), kept with every save of a case."""
from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Case, CaseFigures, ProcessVersion

from .. import clocks
from ..env import get_env
from . import rollup


def project(session: Session, case: Case, clock: clocks.Clocks) -> CaseFigures:
    """Write the case's figures from its clocks (called by the runner after every action)."""
    row = session.get(CaseFigures, case.id)
    if row is None:
        before = rollup.empty()
        row = CaseFigures(case_id=case.id)
        session.add(row)
    else:
        before = rollup.contributions(row)
    version = session.get(ProcessVersion, case.process_version_id)
    tz = ZoneInfo(get_env(session).settings.timezone)
    row.process, row.version = version.model, version.number
    facts = case.facts or {}
    # an application never triaged (withdrawn early) counts as the type the rules suggested for it
    row.case_type = case.case_type or facts.get("case_type") or facts.get("suggested_case_type")
    row.track, row.measure = case.track, case.measure
    row.outcome = case.outcome.value if case.outcome else None
    row.status = case.status.value if case.status else None
    row.closed_on = case.completed_at.astimezone(tz).date() if case.completed_at else None
    _fill(row, clock, (case.facts or {}).get("fee") if clock.decided_on else None)
    rollup.apply(session, rollup.difference(before, rollup.contributions(row)))
    return row


def _fill(row: CaseFigures, clock: clocks.Clocks, fee) -> None:
    arrived, decided = clock.arrived_on, clock.decided_on
    row.arrived_on, row.decided_on = arrived, decided
    row.complete_on, row.statutory_start = clock.complete_on, clock.statutory_start
    row.statutory_due, row.service_goal_due = clock.statutory_due, clock.service_goal_due
    row.statutory_days = (decided - clock.statutory_start).days if decided and clock.statutory_start else None
    row.lead_days = (decided - arrived).days if decided and arrived else None
    row.completeness_days = (clock.complete_on - arrived).days if clock.complete_on and arrived else None
    row.within_deadline = decided <= clock.statutory_due if decided and clock.statutory_due else None
    row.within_goal = decided <= clock.service_goal_due if decided and clock.service_goal_due else None
    row.extended = clock.extended
    row.fee_reduction_fifths = clock.fee_reduction_fifths or 0
    row.fee_reduction_kr = int((fee or {}).get("reduction") or 0) if isinstance(fee, dict) else 0
    row.supplement_orders = clock.supplement_orders
    if clock.complete_on is not None:
        row.complete_on_arrival = clock.supplement_orders == 0 and clock.complete_on == arrived
    else:
        row.complete_on_arrival = False if clock.as_it_stands else None


def refresh_many(session: Session, case_ids: Iterable[int]) -> int:
    """Recompute the figures of these cases (after a bulk load, or for cases from before the projection)."""
    count = 0
    for case in session.scalars(select(Case).where(Case.id.in_(list(case_ids)))):
        project(session, case, clocks.clocks_for(session, case))
        count += 1
    session.flush()
    return count


def missing(session: Session, limit: int = 1000) -> list[int]:
    """Ids of cases that have no figures yet."""
    return list(session.scalars(select(Case.id).outerjoin(CaseFigures, CaseFigures.case_id == Case.id)
                                .where(CaseFigures.case_id.is_(None)).order_by(Case.id).limit(limit)))
