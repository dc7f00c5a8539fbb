"""The survey's CSV exports: closed cases for a survey provider, and the anonymous answers.

The closed cases carry the applicant's name, e-mail and language (what a provider needs to send SKR's
questionnaire itself); exporting them is recorded in the audit trail. The answers carry no names.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Case, ProcessVersion, SurveyAnswer, SurveyInvitation, User

from . import audit
from .csv_export import to_csv
from .env import get_env
from .survey import FACTORS, NKI_QUESTIONS

CASE_COLUMNS = ("reference", "closed_on", "outcome", "process", "case_type", "measure", "track",
                "applicant_name", "applicant_email", "language")
ANSWER_COLUMNS = ("answered_on", "process", "case_type", "track", "scale_max", *NKI_QUESTIONS, *FACTORS, "comment")


def _bounds(session: Session, first: date, last: date) -> tuple[datetime, datetime, ZoneInfo]:
    tz = ZoneInfo(get_env(session).settings.timezone)
    return (datetime.combine(first, time.min, tzinfo=tz), datetime.combine(last + timedelta(days=1), time.min,
                                                                         tzinfo=tz), tz)


def closed_cases(session: Session, *, first: date, last: date, actor: User) -> str:
    """Cases closed in the period with an outcome, as a survey provider needs them (audited: personal data)."""
    start, end, tz = _bounds(session, first, last)
    rows = session.execute(
        select(Case, ProcessVersion.model).join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
        .where(Case.completed_at >= start, Case.completed_at < end, Case.outcome.is_not(None),
               Case.redacted_at.is_(None)).order_by(Case.completed_at, Case.id)).all()
    audit.record(session, actor=actor.username, action="survey.cases_exported",
                 details={"from": first.isoformat(), "to": last.isoformat(), "cases": len(rows)})
    return to_csv(CASE_COLUMNS, ([c.reference, c.completed_at.astimezone(tz).date().isoformat(), c.outcome.value,
                                  model, c.case_type, c.measure, c.track, c.applicant_name, c.applicant_email,
                                  c.language] for c, model in rows))


def answers(session: Session, *, first: date, last: date) -> str:
    """The answers given in the period, one row each, without names or references."""
    start, end, tz = _bounds(session, first, last)
    rows = session.execute(
        select(SurveyAnswer, Case.case_type, Case.track, ProcessVersion.model)
        .join(SurveyInvitation, SurveyInvitation.id == SurveyAnswer.invitation_id)
        .join(Case, Case.id == SurveyInvitation.case_id)
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
        .where(SurveyAnswer.answered_at >= start, SurveyAnswer.answered_at < end)
        .order_by(SurveyAnswer.answered_at, SurveyAnswer.id)).all()
    return to_csv(ANSWER_COLUMNS, ([a.answered_at.astimezone(tz).date().isoformat(), model, case_type, track,
                                    a.scale_max, *(a.scores.get(q) for q in NKI_QUESTIONS + FACTORS), a.comment]
                                   for a, case_type, track, model in rows))
