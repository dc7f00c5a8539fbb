"""The applicants' satisfaction survey (SKR Insikt): invitations, reminders, answers.

When a case closes with one of ``survey_outcomes``, the scheduler invites its applicant by a letter
(``survey_invitation``) with a signed single-use link, valid ``survey_valid_days`` days, and reminds them
by e-mail up to ``survey_reminders`` times, ``survey_reminder_days`` apart. The link opens the
questionnaire without a login; an answer or a "no thanks" uses it up. Results: ``survey_results``.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import i18n
from app.clock import utcnow
from app.models import Case, OutboxMessage, OutboxStatus, SurveyAnswer, SurveyInvitation

from . import audit, letters
from .env import get_env
from .errors import N_, Conflict, InvalidInput, NotFound

#: The three questions NKI is built from, then the six factors (SKR Insikt).
NKI_QUESTIONS = ("satisfaction", "expectations", "ideal")
FACTORS = ("information", "accessibility", "treatment", "competence", "legal_certainty", "efficiency")
QUESTION_TEXT = {
    "satisfaction": N_("How satisfied are you, on the whole, with how the municipality handled your case?"),
    "expectations": N_("How well did the handling meet your expectations?"),
    "ideal": N_("How close was the handling to how you imagine it ideally?"),
    "information": N_("Information: how satisfied are you with the information you got?"),
    "accessibility": N_("Accessibility: how easy was it to reach the right person?"),
    "treatment": N_("Treatment: how were you treated?"),
    "competence": N_("Competence: how competent were the staff who handled your case?"),
    "legal_certainty": N_("Legal certainty: was your case handled correctly and fairly?"),
    "efficiency": N_("Efficiency: how efficiently was your case handled?"),
}
MAX_COMMENT = 4000
#: Cases closed longer ago than this are not invited when the survey starts running.
CATCH_UP = timedelta(days=14)


class SurveyUnavailable(Conflict):
    """The link was used, declined or has expired."""


def _serializer(session: Session) -> URLSafeSerializer:
    return URLSafeSerializer(get_env(session).settings.secret_key, salt="lotsen-survey")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def link(session: Session, invitation: SurveyInvitation, secret: str) -> str:
    token = _serializer(session).dumps([invitation.id, secret])
    return f"{get_env(session).settings.public_url.rstrip('/')}/survey/{token}"


# ------------------------------------------------------------------ invitations (scheduler)


def cases_to_invite(session: Session, limit: int = 200) -> list[int]:
    """Recently closed cases whose applicant has no invitation yet, of processes that have the letter."""
    settings = get_env(session).settings
    invited = select(SurveyInvitation.case_id)
    cases = session.scalars(select(Case).where(
        Case.completed_at.is_not(None), Case.completed_at >= utcnow() - CATCH_UP, Case.id.not_in(invited),
        Case.applicant_email != "", Case.redacted_at.is_(None)).order_by(Case.completed_at).limit(limit))
    return [c.id for c in cases if c.outcome is not None and c.outcome.value in settings.survey_outcomes
            and letters.process_has_letter(session, c, "survey_invitation")]


def invite(session: Session, case_id: int) -> SurveyInvitation | None:
    """Invite the applicant of a closed case by the ``survey_invitation`` letter (once per case)."""
    case = session.get(Case, case_id)
    if case is None or session.scalar(select(SurveyInvitation.id).where(SurveyInvitation.case_id == case_id)):
        return None
    settings = get_env(session).settings
    now = utcnow()
    secret = secrets.token_urlsafe(18)
    invitation = SurveyInvitation(case_id=case.id, secret_hash=_hash(secret), language=case.language or "sv",
                                  created_at=now, expires_at=now + timedelta(days=settings.survey_valid_days),
                                  reminders_sent=0, last_sent_at=now)
    session.add(invitation)
    session.flush()
    letters.issue(session, case=case, kind="survey_invitation",
                  values={"survey_link": link(session, invitation, secret),
                          "valid_until": invitation.expires_at.date().isoformat()})
    audit.record(session, actor="system", action="survey.invited", case_id=case.id, details={})
    return invitation


def send_reminders(session: Session, limit: int = 200) -> int:
    """Remind the applicants who have neither answered nor declined; a reminder carries a fresh link."""
    settings = get_env(session).settings
    now = utcnow()
    due = session.scalars(select(SurveyInvitation).where(
        SurveyInvitation.answered_at.is_(None), SurveyInvitation.declined_at.is_(None),
        SurveyInvitation.expires_at > now, SurveyInvitation.reminders_sent < settings.survey_reminders,
        SurveyInvitation.last_sent_at <= now - timedelta(days=settings.survey_reminder_days)).limit(limit))
    count = 0
    for invitation in due:
        case = invitation.case
        if not case.applicant_email or case.redacted_at is not None:
            continue
        secret = secrets.token_urlsafe(18)
        invitation.secret_hash = _hash(secret)  # the earlier link stops working; the newest one counts
        invitation.reminders_sent += 1
        invitation.last_sent_at = now
        lang = invitation.language
        reference = case.reference or f"#{case.id}"
        body = "\n\n".join([
            i18n.gettext(lang, N_("A reminder: we would like to know what you thought of how we handled your "
                                  "case %(ref)s. It takes a few minutes."), ref=reference),
            link(session, invitation, secret),
            i18n.gettext(lang, N_("The link works once and until %(d)s."), d=invitation.expires_at.date().isoformat()),
        ])
        session.add(OutboxMessage(case_id=case.id, kind="survey_reminder", recipient=case.applicant_email,
                                  subject=i18n.gettext(lang, N_("What did you think of our handling of %(ref)s?"),
                                                       ref=reference)[:300],
                                  body=body + "\n", status=OutboxStatus.PENDING, attempts=0, created_at=now,
                                  next_attempt_at=now))
        audit.record(session, actor="system", action="survey.reminded", case_id=case.id,
                     details={"reminder": invitation.reminders_sent})
        count += 1
    return count


# ------------------------------------------------------------------ the applicant's link


def open_link(session: Session, token: str) -> SurveyInvitation:
    """The invitation the link belongs to, if it can still be answered."""
    try:
        invitation_id, secret = _serializer(session).loads(token)
    except (BadSignature, TypeError, ValueError):
        raise NotFound(N_("This survey link is not valid.")) from None
    invitation = session.get(SurveyInvitation, invitation_id) if isinstance(invitation_id, int) else None
    if invitation is None or not isinstance(secret, str) or invitation.secret_hash != _hash(secret):
        raise NotFound(N_("This survey link is not valid."))
    if invitation.answered_at is not None:
        raise SurveyUnavailable(N_("You have already answered the survey. Thank you!"))
    if invitation.declined_at is not None:
        raise SurveyUnavailable(N_("You said no thanks to the survey, so it cannot be answered."))
    if invitation.expires_at <= utcnow():
        raise SurveyUnavailable(N_("The survey has closed: its link was valid for a limited time."))
    return invitation


def answer(session: Session, *, token: str, scores: Mapping, comment: str | None = None) -> SurveyAnswer:
    """Store the applicant's answer; the link is used up."""
    invitation = open_link(session, token)
    scale_max = get_env(session).settings.survey_scale_max
    clean, errors = {}, []
    for question in NKI_QUESTIONS + FACTORS:
        raw = scores.get(question)
        if raw in (None, "", "none") and question in FACTORS:
            clean[question] = None  # "cannot say" is allowed for the factors
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if value is None or not 1 <= value <= scale_max:
            errors.append({"field": question, "message": N_("choose a value on the scale")})
        else:
            clean[question] = value
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors.append({"field": "comment", "message": N_("at most 4000 characters")})
    if errors:
        raise InvalidInput(errors)
    now = utcnow()
    invitation.answered_at = now
    row = SurveyAnswer(invitation_id=invitation.id, answered_at=now, scale_max=scale_max, scores=clean,
                       comment=comment or None)
    session.add(row)
    session.flush()
    audit.record(session, actor="applicant", action="survey.answered", case_id=invitation.case_id,
                 details={"answer": row.id})
    return row


def decline(session: Session, *, token: str) -> SurveyInvitation:
    invitation = open_link(session, token)
    invitation.declined_at = utcnow()
    audit.record(session, actor="applicant", action="survey.declined", case_id=invitation.case_id, details={})
    return invitation
