"""What an applicant may expect before applying: the law's time, the municipality's goal, recent reality.

``for_measure`` answers ``GET /api/expectations`` and the apply page: per measure the statutory time in
days, the municipality's service goal, and the median and 90th percentile of the days from arrival to
decision over the last 12 months of Lotsen's own history (``None`` while fewer cases than
``expectations_min_cases`` were decided: "not enough cases yet").
"""
from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from app.clock import utcnow
from app.models import Case, CaseEvent, ProcessVersion

from .clocks import statutory_weeks
from .env import get_env
from .errors import N_, InvalidInput

#: Answers reused for ``expectations_cache_s`` seconds (the figures move by the day, the page is public).
_cache: dict[tuple, tuple[float, Expectations]] = {}

#: Measures handled by anmälan rather than lov when no recent case says otherwise (DOMAIN.md: attefall).
ANMALAN_MEASURES = frozenset({"attefall"})


@dataclass(frozen=True)
class Expectations:
    statutory_days: int
    service_goal_days: int
    recent_median_days: int | None
    recent_p90_days: int | None
    recent_cases: int

    def to_dict(self) -> dict:
        return asdict(self)


def for_measure(session: Session, *, process: str, measure: str) -> Expectations:
    """The expectations for one measure of one process (cached for a few minutes)."""
    if not process or not measure:
        raise InvalidInput([{"field": "process" if not process else "measure", "message": N_("required")}])
    if session.scalar(select(ProcessVersion.id).where(ProcessVersion.model == process).limit(1)) is None:
        raise InvalidInput([{"field": "process", "message": N_("no process with this name")}])
    key = (id(get_env(session)), process, measure)
    hit = _cache.get(key)
    if hit and time.monotonic() - hit[0] < get_env(session).settings.expectations_cache_s:
        return hit[1]
    result = _compute(session, process=process, measure=measure)
    _cache[key] = (time.monotonic(), result)
    return result


def _compute(session: Session, *, process: str, measure: str) -> Expectations:
    settings = get_env(session).settings
    tz = ZoneInfo(settings.timezone)
    days, case_types = _recent_lead_times(session, process=process, measure=measure, tz=tz)
    if case_types:
        case_type = case_types.most_common(1)[0][0]
    else:
        case_type = "anmalan" if measure in ANMALAN_MEASURES else "bygglov"
    enough = len(days) >= max(1, settings.expectations_min_cases)
    return Expectations(
        statutory_days=statutory_weeks(case_type) * 7,
        service_goal_days=int(settings.service_goals.get(measure, settings.service_goal_days)),
        recent_median_days=round(statistics.median(days)) if enough else None,
        recent_p90_days=_p90(days) if enough else None,
        recent_cases=len(days),
    )


def _p90(values: list[int]) -> int:
    """The 90th percentile by the nearest-rank method: 90 % of the cases took at most this many days."""
    ordered = sorted(values)
    rank = max(1, -(-9 * len(ordered) // 10))  # ceil(0.9 n)
    return ordered[rank - 1]


def _recent_lead_times(session: Session, *, process: str, measure: str, tz: ZoneInfo) -> tuple[list[int], Counter]:
    """Calendar days from arrival to decision of the cases decided in the last 12 months."""
    since = utcnow() - timedelta(days=365)
    received, decided = aliased(CaseEvent), aliased(CaseEvent)
    rows = session.execute(
        select(Case.case_type, func.min(received.at), func.min(decided.at))
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
        .join(received, and_(received.case_id == Case.id, received.kind == "received"))
        .join(decided, and_(decided.case_id == Case.id, decided.kind == "decided"))
        .where(ProcessVersion.model == process, Case.measure == measure, decided.at >= since)
        .group_by(Case.id, Case.case_type))
    days, types = [], Counter()
    for case_type, arrived_at, decided_at in rows:
        days.append((decided_at.astimezone(tz).date() - arrived_at.astimezone(tz).date()).days)
        if case_type:
            types[case_type] += 1
    return days, types
