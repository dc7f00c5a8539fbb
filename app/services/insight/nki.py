"""NKI (nöjd-kund-index) for the insight dashboard, from the applicants' survey, kept as day totals (``NkiDay``).

The figure follows the dashboard's period, process, case type and track: the survey's answers to invitations
sent in the period, as the survey's own figures count them (``services.survey_results``, whose formula both
use). Below the survey's privacy minimum (``survey_min_answers``) it is None and the dashboard says there are
not enough answers yet.

An answer adds to the totals of its invitation's local day, its case's process, case type and track, and its
answer scale, in the transaction that stores it (a flush listener, like the tasks' day totals): per NKI question
the sum and the number of its scores. A period then adds up at most a few rows per day instead of reading every
invitation and answer (at 100,000 seeded cases with a survey that took 2.6 CPU-seconds). Answers are never
changed or deleted (erasure clears only their comments). ``rebuild`` counts the totals afresh (the migration's
back-fill and the tests' independent check).
"""
from __future__ import annotations

from collections import Counter
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.models import Case, NkiDay, ProcessVersion, SurveyAnswer, SurveyInvitation
from app.services.survey import NKI_QUESTIONS
from app.services.survey_results import index_from_sums, nki_of

from ..env import get_env
from .filters import Filters
from .rollup import upsert_add

#: The day totals' key: (day, process, case type, track, scale_max).
KEY = ("day", "process", "case_type", "track", "scale_max")
COUNTERS = ("answers", *(f"{q}_{part}" for q in NKI_QUESTIONS for part in ("sum", "n")))


def contribution(scores: dict) -> Counter:
    """What one answer adds to its day's totals."""
    counts = Counter(answers=1)
    for question in NKI_QUESTIONS:
        value = (scores or {}).get(question)
        if isinstance(value, int) and not isinstance(value, bool):
            counts[f"{question}_sum"] += value
            counts[f"{question}_n"] += 1
    return counts


def key_of(invitation_created, tz: ZoneInfo, process: str | None, case_type: str | None, track: str | None,
           scale_max: int) -> tuple:
    return invitation_created.astimezone(tz).date(), process or "", case_type or "", track or "", scale_max


def _changes(session: Session) -> dict[tuple, Counter]:
    found: dict[tuple, Counter] = {}
    tz = None
    for obj in session.new:
        if not isinstance(obj, SurveyAnswer):
            continue
        invitation = session.get(SurveyInvitation, obj.invitation_id)
        case = session.get(Case, invitation.case_id) if invitation is not None else None
        if case is None:
            continue
        version = session.get(ProcessVersion, case.process_version_id)
        tz = tz or ZoneInfo(get_env(session).settings.timezone)
        key = key_of(invitation.created_at, tz, version.model if version else None, case.case_type, case.track,
                     obj.scale_max)
        found.setdefault(key, Counter()).update(contribution(obj.scores))
    return found


@event.listens_for(Session, "before_flush")
def _count_answers(session: Session, _context, _instances) -> None:
    changes = _changes(session)
    if changes:
        add(session.connection(), changes)


def add(conn, totals: dict[tuple, Counter]) -> None:
    """Add {key: counters} to the day totals (rows in key order, so no two writers wait for
    each other's rows in opposite orders)."""
    rows = [{**dict(zip(KEY, key, strict=True)), **{c: counts.get(c, 0) for c in COUNTERS}}
            for key, counts in sorted(totals.items()) if counts.get("answers")]
    upsert_add(conn, NkiDay, rows, list(KEY), COUNTERS)


def rebuild(conn, tz: ZoneInfo) -> None:
    """Every total counted afresh from the answers, their invitations and cases."""
    conn.execute(NkiDay.__table__.delete())
    rows = conn.execute(
        select(SurveyInvitation.created_at, ProcessVersion.model, Case.case_type, Case.track, SurveyAnswer.scale_max,
               SurveyAnswer.scores)
        .join(SurveyInvitation, SurveyInvitation.id == SurveyAnswer.invitation_id)
        .join(Case, Case.id == SurveyInvitation.case_id)
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id))
    totals: dict[tuple, Counter] = {}
    for created, process, case_type, track, scale_max, scores in rows:
        totals.setdefault(key_of(created, tz, process, case_type, track, scale_max), Counter()).update(
            contribution(scores))
    add(conn, totals)


def figures(session: Session, filters: Filters) -> dict | None:
    """NKI 0–100 with its number of answers for the period; None while too few answers are stored."""
    d = NkiDay
    conditions = [d.day.between(filters.start, filters.end)]
    conditions += [column == value for column, value in ((d.process, filters.process),
                                                          (d.case_type, filters.case_type),
                                                          (d.track, filters.track)) if value]
    sums = session.execute(select(d.scale_max, *(func.sum(getattr(d, c)) for c in COUNTERS))
                           .where(*conditions).group_by(d.scale_max)).all()
    answers = sum(int(row[1] or 0) for row in sums)
    if not answers or answers < get_env(session).settings.survey_min_answers:
        return None
    by_top = [(row[0], dict(zip(COUNTERS, (int(v or 0) for v in row[1:]), strict=True))) for row in sums]
    index = nki_of(index_from_sums({top: (c[f"{q}_sum"], c[f"{q}_n"]) for top, c in by_top})
                   for q in NKI_QUESTIONS)
    if index is None:
        return None
    return {"index": index, "answers": answers}
