"""NKI and factor indexes from the survey answers (SKR Insikt), with the respondents' privacy kept.

Each question's index is ``(mean - 1) / (max - 1) * 100`` of its scores (``max`` the scale's top when
the answer was given); NKI is the mean of the three NKI questions' indexes. A group with fewer than
``survey_min_answers`` answers shows counts only. Bands (SKR): ≥ 80 very high, 70–79 high, 62–69
acceptable, 50–61 low, < 50 very low. This module is the one place the figures are computed; the
insight dashboard (issue 13) calls ``results``.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from app.models import Case, ProcessVersion, SurveyAnswer, SurveyInvitation

from .env import get_env
from .errors import N_, InvalidInput
from .survey import FACTORS, NKI_QUESTIONS

BANDS = ((80, "very_high"), (70, "high"), (62, "acceptable"), (50, "low"), (0, "very_low"))
BAND_WORDS = {"very_high": N_("very high"), "high": N_("high"), "acceptable": N_("acceptable"), "low": N_("low"),
              "very_low": N_("very low")}


FACTOR_WORDS = {"information": N_("Information"), "accessibility": N_("Accessibility"), "treatment": N_("Treatment"),
                "competence": N_("Competence"), "legal_certainty": N_("Legal certainty"),
                "efficiency": N_("Efficiency")}


def option_words(session: Session, field_name: str, locale: str) -> dict[str, str]:
    """What the processes' forms call the values of ``field_name`` (e.g. case types, tracks) in ``locale``."""
    words: dict[str, str] = {}
    versions = session.scalars(select(ProcessVersion).order_by(ProcessVersion.number))
    for version in versions:  # newer versions' words win
        for name, text in (version.files or {}).items():
            if not (name.startswith("forms/") and name.endswith(".json")) or f'"{field_name}"' not in text:
                continue
            prop = ((json.loads(text).get("properties") or {}).get(field_name)) or {}
            for option in prop.get("oneOf") or []:
                title = option.get(f"x-title-{locale}") or option.get("title")
                if "const" in option and title:
                    words[str(option["const"])] = title
    return words


def band(index: float | None) -> str | None:
    if index is None:
        return None
    return next(name for floor, name in BANDS if round(index) >= floor)


@dataclass
class Group:
    """The figures of one group of answers (all, or one case type, track or month)."""

    key: str | None
    invited: int = 0
    respondents: int = 0
    nki: float | None = None
    band: str | None = None
    factors: dict[str, float | None] = field(default_factory=dict)
    shown: bool = False

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.respondents / self.invited, 1) if self.invited else None

    def to_dict(self) -> dict:
        return {"key": self.key, "invited": self.invited, "respondents": self.respondents,
                "response_rate": self.response_rate, "nki": self.nki, "band": self.band,
                "factors": self.factors, "shown": self.shown}


def index_from_sums(sums: Mapping[int, tuple[int, int]]) -> float | None:
    """Index 0–100 from {scale top: (sum of the scores, number of scores)}: the mean of ``(score - 1) / (top - 1)
    * 100`` over the scores. The survey's figures and the dashboard's day totals (``insight.nki``) both come here,
    so the same answers give the same index to the last decimal."""
    total, count = 0.0, 0
    for top, (score_sum, n) in sorted(sums.items()):
        if top > 1 and n:
            total += (score_sum - n) * 100 / (top - 1)
            count += n
    return round(total / count, 1) if count else None


def nki_of(indexes: Iterable[float | None]) -> float | None:
    """NKI: the mean of the three NKI questions' indexes (those known)."""
    known = [i for i in indexes if i is not None]
    return round(sum(known) / len(known), 1) if known else None


def _index(scores: Iterable[tuple[int | None, int]]) -> float | None:
    """Index 0–100 of (score, scale_max) pairs."""
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for score, top in scores:
        if score is not None:
            sums[top][0] += score
            sums[top][1] += 1
    return index_from_sums({top: (total, n) for top, (total, n) in sums.items()})


def _figures(key, invitations: list, answers: list[SurveyAnswer], minimum: int) -> Group:
    group = Group(key=key, invited=len(invitations), respondents=len(answers))
    group.shown = group.respondents >= max(1, minimum)
    if not group.shown:
        return group
    group.nki = nki_of(_index((a.scores.get(q), a.scale_max) for a in answers) for q in NKI_QUESTIONS)
    group.band = band(group.nki)
    group.factors = {f: _index((a.scores.get(f), a.scale_max) for a in answers) for f in FACTORS}
    return group


def parse_period(start: str | None, end: str | None, *, today: date) -> tuple[date, date]:
    """``from``/``to`` as ISO dates (both inclusive); the last 12 months by default."""
    try:
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else last - timedelta(days=365)
    except ValueError:
        raise InvalidInput([{"field": "from" if start else "to", "message": N_("a date as YYYY-MM-DD")}]) from None
    if first > last:
        raise InvalidInput([{"field": "from", "message": N_("the period starts after it ends")}])
    return first, last


def _invitations(session: Session, start: datetime, end: datetime, process: str | None) -> list[tuple]:
    """(invitation, case type, track, answer or None) of the invitations sent from ``start`` to before ``end``.

    The period's invitations first, by their index, then their cases' type and track by id: the planner never
    walks every case to find a period's (often no) invitations."""
    found = session.execute(
        select(SurveyInvitation, SurveyAnswer)
        .outerjoin(SurveyAnswer, SurveyAnswer.invitation_id == SurveyInvitation.id)
        .where(SurveyInvitation.created_at >= start, SurveyInvitation.created_at < end)
        .options(lazyload(SurveyInvitation.case), lazyload(SurveyAnswer.invitation))).all()
    ids, kinds = sorted({invitation.case_id for invitation, _ in found}), {}
    for at in range(0, len(ids), 500):
        query = select(Case.id, Case.case_type, Case.track).where(Case.id.in_(ids[at:at + 500]))
        if process:
            query = query.join(ProcessVersion, ProcessVersion.id == Case.process_version_id).where(
                ProcessVersion.model == process)
        kinds.update({case_id: (case_type, track) for case_id, case_type, track in session.execute(query)})
    return [(invitation, *kinds[invitation.case_id], answer) for invitation, answer in found
            if invitation.case_id in kinds]


def results(session: Session, *, first: date, last: date, process: str | None = None) -> dict:
    """NKI and factors for invitations sent in the period: overall, by case type, by track and by month."""
    settings = get_env(session).settings
    tz = ZoneInfo(settings.timezone)
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    rows = _invitations(session, start, end, process)
    minimum = settings.survey_min_answers
    groups: dict[str, dict] = {"case_type": defaultdict(lambda: ([], [])), "track": defaultdict(lambda: ([], [])),
                               "month": defaultdict(lambda: ([], []))}
    everyone = ([], [])
    for invitation, case_type, track, answer in rows:
        month = invitation.created_at.astimezone(tz).strftime("%Y-%m")
        for bucket in (everyone, groups["case_type"][case_type or ""], groups["track"][track or ""],
                       groups["month"][month]):
            bucket[0].append(invitation)
            if answer is not None:
                bucket[1].append(answer)
    overall = _figures(None, *everyone, minimum)
    return {
        "from": first.isoformat(), "to": last.isoformat(), "scale_max": settings.survey_scale_max,
        "min_answers": minimum, "declined": sum(1 for inv, *_ in rows if inv.declined_at is not None),
        **overall.to_dict(),
        "by_case_type": [_figures(k or None, *v, minimum).to_dict() for k, v in sorted(groups["case_type"].items())],
        "by_track": [_figures(k or None, *v, minimum).to_dict() for k, v in sorted(groups["track"].items())],
        "by_month": [_figures(k, *v, minimum).to_dict() for k, v in sorted(groups["month"].items())],
    }
