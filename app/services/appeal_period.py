"""The appeal period after a decision and legal force, from the dates things really happened.

A decision is served (delgivning, PBL 9 kap. 41 §) on the applicant and on
the parties staff add; a decision e-mailed by the outbox is served on the day
the e-mail was sent, a decision sent by post on the day staff record. Each
served party may appeal within 3 weeks of being served (förvaltningslagen
44 §); anyone else within 4 weeks of publication (one week after the
kungörelse, then 3 weeks: PBL 13 kap. 16 §). A period whose last day is not a
working day ends on the next working day (lag 1930:173, 2 §).

The decision gains legal force on the day after the last of those days, once
every party has been served, unless a timely appeal is waiting for the appeal
body; then it gains legal force when the appeal ruling does (recorded by
staff), or never, if the decision was quashed or sent back.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Appeal, Case, DecisionParty, Document, MessageSubscription, Notice, PendingMessage
from handlers.dates import last_filing_day

from . import audit
from .env import get_env

WEEKS_AFTER_SERVICE = 3
WEEKS_AFTER_PUBLICATION = 4
#: The message that makes a case waiting out its appeal period look again.
WAKE = "appeal_period_changed"
#: Outcomes that can be appealed (a withdrawal is not a decision on the merits).
APPEALABLE = {"granted", "refused", "dismissed"}


class State:
    NOT_APPEALABLE = "not_appealable"
    AWAITING_SERVICE = "awaiting_service"
    RUNNING = "running"
    APPEALED = "appealed"
    LEGAL_FORCE = "legal_force"
    OVERTURNED = "overturned"


@dataclass
class Party:
    id: int
    name: str
    is_applicant: bool
    email: str | None
    address: str | None
    served_on: date | None
    method: str | None
    #: The last day this party may appeal.
    last_day: date | None


@dataclass
class Period:
    state: str
    decided_on: date | None
    published_on: date | None
    channel: str | None
    #: The last day someone not served may appeal (4 weeks after publication).
    publication_last_day: date | None
    #: The last day anyone may appeal, once every party is served.
    appeal_last_day: date | None
    #: The day the decision gains (or gained) legal force; None while it cannot be known.
    legal_force_on: date | None
    parties: list[Party] = field(default_factory=list)
    appeals: list[Appeal] = field(default_factory=list)

    @property
    def unserved(self) -> list[Party]:
        return [p for p in self.parties if p.served_on is None]

    def to_dict(self) -> dict:
        def iso(d):
            return d.isoformat() if d else None

        return {"state": self.state, "decided_on": iso(self.decided_on), "published_on": iso(self.published_on),
                "channel": self.channel, "publication_last_day": iso(self.publication_last_day),
                "appeal_last_day": iso(self.appeal_last_day), "legal_force_on": iso(self.legal_force_on),
                "parties": [{**asdict(p), "served_on": iso(p.served_on), "last_day": iso(p.last_day)}
                            for p in self.parties],
                "appeals": [appeal_dict(a) for a in self.appeals]}


def appeal_dict(a: Appeal) -> dict:
    def iso(d):
        return d.isoformat() if d else None

    return {"id": a.id, "appellant": a.appellant, "party_id": a.party_id, "received_on": iso(a.received_on),
            "last_day": iso(a.last_day), "counted_from": a.counted_from, "timely": a.timely, "status": a.status,
            "letter": a.document_id, "outcome": a.outcome, "decided_on": iso(a.decided_on),
            "legal_force_on": iso(a.legal_force_on)}


def _tz(session: Session) -> ZoneInfo:
    return ZoneInfo(get_env(session).settings.timezone)


def today(session: Session) -> date:
    return utcnow().astimezone(_tz(session)).date()


def local_start(session: Session, day: date) -> datetime:
    """00:00 of ``day`` in the configured time zone, as UTC: the moment a period that ended the day before is over."""
    return datetime.combine(day, time(0, 0), tzinfo=_tz(session)).astimezone(ZoneInfo("UTC"))


def ends(start: date, weeks: int) -> date:
    """The last day of a period of ``weeks`` counted from ``start`` (moved to a working day)."""
    return last_filing_day(start + timedelta(weeks=weeks))


def decision_of(case: Case) -> dict:
    decision = (case.facts or {}).get("decision")
    return decision if isinstance(decision, dict) else {}


def _decided_on(session: Session, decision: dict) -> date | None:
    at = decision.get("decided_at")
    return datetime.fromisoformat(at).astimezone(_tz(session)).date() if at else None


def parties_of(session: Session, case: Case) -> list[DecisionParty]:
    return list(session.scalars(select(DecisionParty).where(DecisionParty.case_id == case.id)
                                .order_by(DecisionParty.id)))


def appeals_of(session: Session, case: Case) -> list[Appeal]:
    return list(session.scalars(select(Appeal).where(Appeal.case_id == case.id).order_by(Appeal.id)))


def publication(session: Session, case: Case) -> Notice | None:
    """The kungörelse of the decision (on the anslagstavla, or recorded as published in PoIT)."""
    return session.scalar(select(Notice).where(Notice.case_id == case.id, Notice.kind == "decision")
                          .order_by(Notice.posted_on, Notice.id).limit(1))


def shown_for(session: Session, case: Case) -> Period | None:
    """The period of a case whose process waits out its appeal period (pages show it); None otherwise.

    A process without that stage (an anmälan closing with its startbesked, say) has nothing to show.
    """
    facts = case.facts or {}
    if not case.outcome or not ("appeal_check" in facts or "legal_force" in facts):
        return None
    period = period_of(session, case)
    return None if period.state == State.NOT_APPEALABLE else period


def period_of(session: Session, case: Case, decision: dict | None = None) -> Period:
    """Where the case stands in its appeal period, computed from the recorded dates.

    ``decision`` is the decision as a running step sees it (the case's saved facts otherwise).
    """
    decision = decision if decision is not None else decision_of(case)
    notice = publication(session, case)
    published_on = notice.posted_on if notice else None
    period = Period(state=State.NOT_APPEALABLE, decided_on=_decided_on(session, decision), published_on=published_on,
                    channel=notice.channel if notice else None,
                    publication_last_day=ends(published_on, WEEKS_AFTER_PUBLICATION) if published_on else None,
                    appeal_last_day=None, legal_force_on=None, appeals=appeals_of(session, case))
    period.parties = [Party(id=p.id, name=p.name, is_applicant=p.is_applicant, email=p.email, address=p.address,
                            served_on=p.served_on, method=p.method,
                            last_day=ends(p.served_on, WEEKS_AFTER_SERVICE) if p.served_on else None)
                      for p in parties_of(session, case)]
    if decision.get("outcome") not in APPEALABLE:
        period.legal_force_on = period.decided_on  # nothing to appeal: final at once
        return period
    _settle_state(session, period)
    return period


def _settle_state(session: Session, period: Period) -> None:
    if any(a.status == "decided" and a.outcome != "stands" for a in period.appeals):
        period.state = State.OVERTURNED
        return
    if not period.parties or period.unserved:
        period.state = State.AWAITING_SERVICE
    else:
        days = [p.last_day for p in period.parties] + ([period.publication_last_day]
                                                        if period.publication_last_day else [])
        period.appeal_last_day = max(days)
        rulings = [a.legal_force_on for a in period.appeals if a.status == "decided" and a.legal_force_on]
        period.legal_force_on = max([period.appeal_last_day + timedelta(days=1), *rulings])
        period.state = State.RUNNING
    if any(a.status == "forwarded" for a in period.appeals):
        period.state, period.legal_force_on = State.APPEALED, None
    elif period.state == State.RUNNING and today(session) >= period.legal_force_on:
        period.state = State.LEGAL_FORCE


# ------------------------------------------------------------------ parties and service


def add_applicant(session: Session, case: Case, document: Document) -> DecisionParty:
    """The applicant must be served the decision ``document`` (by its e-mail, or by post if they have none)."""
    party = DecisionParty(case_id=case.id, document_id=document.id, name=case.applicant_name,
                          email=case.applicant_email or None, is_applicant=True, created_at=utcnow())
    session.add(party)
    session.flush()
    return party


def served_by_email(session: Session, document_id: int, recipient: str, sent_at: datetime) -> None:
    """The outbox sent a decision letter: its addressee is served on that day; a case waiting for it looks again."""
    parties = session.scalars(select(DecisionParty).where(
        DecisionParty.document_id == document_id, DecisionParty.served_on.is_(None)))
    for party in parties:
        if (party.email or "").lower() != recipient.lower():
            continue
        party.served_on, party.method = sent_at.astimezone(_tz(session)).date(), "email"
        audit.record(session, actor="outbox", action="decision.served", case_id=party.case_id,
                     details={"party": party.id, "served_on": party.served_on.isoformat(), "method": "email"})
        keep_wake(session, party.case_id)


def keep_wake(session: Session, case_id: int) -> bool:
    """Leave the wake-up message for a case waiting out its appeal period (delivered by the scheduler)."""
    waiting = session.scalar(select(MessageSubscription.id).where(
        MessageSubscription.case_id == case_id, MessageSubscription.name == WAKE).limit(1))
    if waiting is None:
        return False
    session.add(PendingMessage(case_id=case_id, name=WAKE, payload={"received_at": utcnow().isoformat()},
                               received_at=utcnow()))
    session.flush()
    return True
