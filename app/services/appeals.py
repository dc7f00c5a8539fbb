"""Staff record what happens after a decision: service on each party, appeals, the appeal body's ruling.

Every change makes a case that is waiting out its appeal period look again
(the message ``appeal_period_changed``), so legal force follows the dates.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.clock import utcnow
from app.letters.text import html_to_text
from app.letters.templates import LetterError
from app.models import Appeal, Case, DecisionParty, Document, OutboxMessage, OutboxStatus, User

from . import audit, incidents, letters, runner
from .appeal_period import APPEALABLE, WAKE, Period, decision_of, keep_wake, period_of, today
from .cases import get_case
from .env import get_env
from handlers.i18n import N_

from .errors import CaseBlocked, CaseClosed, Conflict, Forbidden, InvalidInput, NotFound, StepFailed

#: How staff may have served a decision (an e-mail sent by Lotsen is recorded by the outbox).
METHODS = ("post", "delivery_receipt", "simplified", "in_person", "email")
#: What the appeal body decided: the decision stands, is quashed, or is sent back for a new decision.
RULINGS = ("stands", "quashed", "remitted")
#: Groups whose members record service and appeals (administrators may too).
RECORDING_GROUPS = frozenset({"officer", "coordinator", "committee"})


def may_record(user: User) -> bool:
    return bool(user.work_groups & RECORDING_GROUPS) or user.has_role("admin")


def require_recorder(user: User) -> None:
    if not may_record(user):
        raise Forbidden(N_("only case officers, coordinators and committee secretaries record service and appeals"))


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput([{"field": field, "message": message}])


def _day(value, field: str) -> date:
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise _invalid(field, N_("must be a date (YYYY-MM-DD)")) from None


def _text(value, field: str, *, required: bool = False, limit: int = 200) -> str | None:
    text = str(value or "").strip()
    if required and not text:
        raise _invalid(field, N_("is required"))
    if len(text) > limit:
        raise _invalid(field, N_("must be at most %(n)s characters", n=limit))
    return text or None


def _email(value) -> str | None:
    email = _text(value, "email", limit=254)
    if email and ("@" not in email or " " in email):
        raise _invalid("email", N_("is not an e-mail address"))
    return email


def _decided_case(session: Session, actor: User, case_id: int) -> tuple[Case, Period]:
    case = get_case(session, actor=actor, case_id=case_id)
    require_recorder(actor)
    if decision_of(case).get("outcome") not in APPEALABLE:
        raise Conflict(N_("the case has no decision that can be appealed"))
    return case, period_of(session, case)


def _not_final(case: Case) -> None:
    if (case.facts or {}).get("legal_force") or case.completed_at is not None:
        raise CaseClosed(N_("the decision already has legal force; its appeal period is over"))


def _between(session: Session, period: Period, day: date, field: str, *, earliest: date | None = None) -> date:
    first = earliest or period.decided_on
    if first and day < first:
        raise _invalid(field, N_("must not be before %(d)s", d=first.isoformat()))
    if day > today(session):
        raise _invalid(field, N_("must not be in the future"))
    return day


def _party(session: Session, case: Case, party_id) -> DecisionParty:
    party = session.get(DecisionParty, int(party_id)) if str(party_id).isdigit() else None
    if party is None or party.case_id != case.id:
        raise NotFound(N_("the case has no such party"))
    return party


def wake(session: Session, case: Case, actor: str) -> None:
    """Make the case look at its appeal period again, if it is waiting it out.

    If that step fails, what was recorded stays and the step becomes an
    incident (retried by an administrator), as a failing timer would.
    """
    if case.completed_at is not None:
        return
    try:
        incidents.ensure_actionable(session, case)
    except CaseBlocked:
        keep_wake(session, case.id)  # delivered when the case is resumed or its incident resolved
        return
    try:
        with audit.savepoint(session):
            if keep_wake(session, case.id):
                runner.apply(session, case, lambda wf, events, host: None, actor=actor)
    except StepFailed as exc:
        case.last_error = exc.message
        incidents.open_for(session, case_id=case.id, element=exc.element, error=exc.message,
                           action={"kind": "message", "name": WAKE, "payload": {}, "actor": actor})


def add_party(session: Session, *, actor: User, case_id: int, name: str, email: str | None = None,
              address: str | None = None) -> DecisionParty:
    """Someone else the decision must be served on; with an e-mail address the decision is mailed to them now."""
    case, _ = _decided_case(session, actor, case_id)
    _not_final(case)
    party = DecisionParty(case_id=case.id, name=_text(name, "name", required=True), email=_email(email),
                          address=_text(address, "address", limit=500), is_applicant=False, created_at=utcnow())
    letter = _decision_letter(session, case)
    party.document_id = letter.id if letter else None
    session.add(party)
    session.flush()
    if party.email and letter is not None:
        session.add(OutboxMessage(case_id=case.id, kind="decision", recipient=party.email,
                                  subject=letter.filename.removesuffix(".pdf")[:300],
                                  body=html_to_text(letter.html or ""), status=OutboxStatus.PENDING, attempts=0,
                                  created_at=utcnow(), next_attempt_at=utcnow(), document_id=letter.id))
    audit.record(session, actor=actor.username, action="decision.party_added", case_id=case.id,
                 details={"party": party.id, "name": party.name, "mailed": bool(party.email and letter)})
    wake(session, case, actor.username)
    return party


def _decision_letter(session: Session, case: Case) -> Document | None:
    applicant = next((p for p in period_of(session, case).parties if p.is_applicant), None)
    row = session.get(DecisionParty, applicant.id) if applicant else None
    return session.get(Document, row.document_id) if row and row.document_id else None


def record_service(session: Session, *, actor: User, case_id: int, party_id, served_on, method) -> DecisionParty:
    """The day a party was served (a letter sent by post, a delivery receipt, ...)."""
    case, period = _decided_case(session, actor, case_id)
    _not_final(case)
    party = _party(session, case, party_id)
    day = _between(session, period, _day(served_on, "served_on"), "served_on")
    if method not in METHODS:
        raise _invalid("method", N_("must be one of %(v)s", v=", ".join(METHODS)))
    before = party.served_on.isoformat() if party.served_on else None
    party.served_on, party.method, party.recorded_by = day, method, actor.username
    audit.record(session, actor=actor.username, action="decision.served", case_id=case.id,
                 details={"party": party.id, "served_on": day.isoformat(), "method": method, "before": before})
    wake(session, case, actor.username)
    return party


def _time_for(period: Period, party: DecisionParty | None) -> tuple[str, date | None]:
    """What an appellant's time counts from, and its last day (None: their time has not started)."""
    if party is not None:
        served = next(p for p in period.parties if p.id == party.id)
        return ("service", served.last_day) if served.served_on else ("not_started", None)
    if period.publication_last_day:
        return "publication", period.publication_last_day
    if period.appeal_last_day:
        return "last_service", period.appeal_last_day
    return "not_started", None


def register_appeal(session: Session, *, actor: User, case_id: int, appellant: str, received_on, party_id=None,
                    email: str | None = None, address: str | None = None, language: str = "sv") -> Appeal:
    """An appeal arrived: a late one is dismissed (letter to the appellant), a timely one is sent on."""
    case, period = _decided_case(session, actor, case_id)
    party = _party(session, case, party_id) if party_id not in (None, "") else None
    if language not in ("sv", "en"):
        raise _invalid("language", N_("must be one of %(v)s", v="sv, en"))
    day = _between(session, period, _day(received_on, "received_on"), "received_on")
    counted_from, last_day = _time_for(period, party)
    appeal = Appeal(case_id=case.id, appellant=_text(appellant, "appellant", required=True), email=_email(email),
                    address=_text(address, "address", limit=500), language=language,
                    party_id=party.id if party else None, received_on=day, last_day=last_day,
                    counted_from=counted_from, timely=last_day is None or day <= last_day,
                    recorded_by=actor.username, created_at=utcnow())
    appeal.status = "forwarded" if appeal.timely else "dismissed"
    session.add(appeal)
    session.flush()
    appeal.document_id = _appeal_letter(session, case, period, appeal).id
    audit.record(session, actor=actor.username, action=f"appeal.{appeal.status}", case_id=case.id,
                 details={"appeal": appeal.id, "appellant": appeal.appellant, "received_on": day.isoformat(),
                          "last_day": last_day.isoformat() if last_day else None, "counted_from": counted_from})
    if appeal.timely:
        wake(session, case, actor.username)
    return appeal


def _appeal_letter(session: Session, case: Case, period: Period, appeal: Appeal) -> Document:
    """The dismissal to the appellant (late), or the letter sending the appeal on to the appeal body (timely)."""
    settings = get_env(session).settings
    values = {"appeal": {"appellant": appeal.appellant, "received_on": appeal.received_on.isoformat(),
                         "last_day": appeal.last_day.isoformat() if appeal.last_day else None,
                         "counted_from": appeal.counted_from},
              "decision": {"decided_on": period.decided_on.isoformat() if period.decided_on else None,
                           "outcome": decision_of(case).get("outcome"),
                           "published_on": period.published_on.isoformat() if period.published_on else None}}
    if appeal.timely:
        kind = "appeal_forwarded"
        to = letters.Recipient(name=settings.appeal_body, email=settings.appeal_body_email or None,
                               address=settings.appeal_body_address or None, language="sv")
    else:
        kind = "appeal_dismissal"
        to = letters.Recipient(name=appeal.appellant, email=appeal.email, address=appeal.address,
                               language=appeal.language)
    try:
        return letters.issue(session, case=case, kind=kind, values=values, recipient=to)
    except LetterError as exc:
        raise Conflict(str(exc)) from exc


def record_appeal_decision(session: Session, *, actor: User, case_id: int, appeal_id, outcome: str, decided_on,
                  legal_force_on=None) -> Appeal:
    """The appeal body decided a forwarded appeal; with "stands" the decision gains legal force with the ruling."""
    case, period = _decided_case(session, actor, case_id)
    _not_final(case)
    appeal = next((a for a in period.appeals if str(a.id) == str(appeal_id)), None)
    if appeal is None:
        raise NotFound(N_("the case has no such appeal"))
    if appeal.status != "forwarded":
        raise Conflict(N_("only an appeal sent on to the appeal body gets its decision recorded"))
    if outcome not in RULINGS:
        raise _invalid("outcome", N_("must be one of %(v)s", v=", ".join(RULINGS)))
    day = _between(session, period, _day(decided_on, "decided_on"), "decided_on", earliest=appeal.received_on)
    final = None
    if outcome == "stands":
        if legal_force_on in (None, ""):
            raise _invalid("legal_force_on", N_("say when the appeal decision gained legal force"))
        final = _day(legal_force_on, "legal_force_on")
        if final < day:
            raise _invalid("legal_force_on", N_("must not be before %(d)s", d=day.isoformat()))
    appeal.outcome, appeal.decided_on, appeal.legal_force_on, appeal.status = outcome, day, final, "decided"
    audit.record(session, actor=actor.username, action="appeal.decided", case_id=case.id,
                 details={"appeal": appeal.id, "outcome": outcome, "decided_on": day.isoformat(),
                          "legal_force_on": final.isoformat() if final else None})
    wake(session, case, actor.username)
    return appeal
