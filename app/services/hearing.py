"""The neighbour hearing's parties: recorded by the officer, notified by the process, answered one by one.

The officer records who is heard (name, and a postal address or an e-mail)
before the process sends the notices; each party's response is recorded as it
comes in. When every notified party has answered, the hearing ends early: the
case is sent the ``neighbours_answered`` message, which the process waits for
beside the response date.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case, HearingParty, User
from handlers.i18n import N_

from . import audit, clocks
from .cases import get_case
from .errors import CaseClosed, Conflict, Forbidden, InvalidInput, NotFound

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

#: The message that ends the hearing early when every notified party has answered.
ALL_ANSWERED = "neighbours_answered"
RESPONSES = ("no_objection", "objection")
HEARING_GROUPS = frozenset({"officer", "coordinator"})


@dataclass(frozen=True)
class Summary:
    parties: list[HearingParty]
    notified: int
    answered: int
    objections: int

    @property
    def all_answered(self) -> bool:
        return self.notified > 0 and self.answered == self.notified


def may_record(actor: User) -> bool:
    return bool(actor.work_groups & HEARING_GROUPS) or actor.has_role("admin")


def require_staff(actor: User) -> None:
    if not may_record(actor):
        raise Forbidden(N_("only case officers and coordinators record the neighbour hearing"))


def _open_case(session: Session, actor: User, case_id: int) -> Case:
    case = get_case(session, actor=actor, case_id=case_id)
    require_staff(actor)
    if case.completed_at is not None or case.outcome is not None:
        raise CaseClosed(N_("the case is decided; the hearing can no longer change"))
    return case


def parties(session: Session, case: Case) -> list[HearingParty]:
    return list(session.scalars(select(HearingParty).where(HearingParty.case_id == case.id)
                                .order_by(HearingParty.id)))


def summary(session: Session, case: Case) -> Summary:
    rows = parties(session, case)
    notified = [p for p in rows if p.notified_at is not None]
    return Summary(parties=rows, notified=len(notified), answered=sum(1 for p in notified if p.response),
                   objections=sum(1 for p in notified if p.response == "objection"))


def _text(value, field: str, *, required: bool, limit: int) -> str | None:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise InvalidInput([{"field": field, "message": N_("is required")}])
    if len(text) > limit:
        raise InvalidInput([{"field": field, "message": N_("is too long (at most %(n)s characters)", n=limit)}])
    return text or None


def add_party(session: Session, *, actor: User, case_id: int, name, address=None, email=None) -> HearingParty:
    """Record a party to be heard; before the notices are sent."""
    case = _open_case(session, actor, case_id)
    name = _text(name, "name", required=True, limit=200)
    address = _text(address, "address", required=False, limit=300)
    email = _text(email, "email", required=False, limit=254)
    if not address and not email:
        raise InvalidInput([{"field": "address", "message": N_(
            "give a postal address or an e-mail address, so the party can be notified")}])
    if email and not EMAIL.match(email):
        raise InvalidInput([{"field": "email", "message": N_("must be a valid e-mail address")}])
    if any(p.notified_at for p in parties(session, case)):
        raise Conflict(N_("the notices have been sent; a party added now would not get the same time to answer"))
    party = HearingParty(case_id=case.id, name=name, address=address, email=email, added_by=actor.username,
                         added_at=utcnow())
    session.add(party)
    session.flush()
    audit.record(session, actor=actor.username, action="hearing.party_added", case_id=case.id,
                 details={"party": party.id, "name": name})
    return party


def _party(session: Session, case: Case, party_id: int) -> HearingParty:
    party = session.get(HearingParty, party_id)
    if party is None or party.case_id != case.id:
        raise NotFound(N_("the case has no such party"))
    return party


def remove_party(session: Session, *, actor: User, case_id: int, party_id: int) -> None:
    case = _open_case(session, actor, case_id)
    party = _party(session, case, party_id)
    if party.notified_at is not None:
        raise Conflict(N_("the party has been notified and stays in the hearing"))
    session.delete(party)
    audit.record(session, actor=actor.username, action="hearing.party_removed", case_id=case.id,
                 details={"party": party_id, "name": party.name})


def _received_on(raw, party: HearingParty, today: date) -> date:
    if raw in (None, ""):
        return today
    try:
        day = date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput([{"field": "received_on", "message": N_("must be a date (YYYY-MM-DD)")}]) from None
    if day > today:
        raise InvalidInput([{"field": "received_on", "message": N_("cannot be in the future")}])
    return day


def record_response(session: Session, *, actor: User, case_id: int, party_id: int, response, text=None,
                    received_on=None) -> Summary:
    """Record what a notified party answered; when every party has answered, end the hearing early."""
    from . import messages

    case = _open_case(session, actor, case_id)
    party = _party(session, case, party_id)
    if party.notified_at is None:
        raise Conflict(N_("the party has not been notified yet"))
    if response not in RESPONSES:
        raise InvalidInput([{"field": "response", "message": N_("choose no objection or objection")}])
    party.response = response
    party.response_text = _text(text, "text", required=response == "objection", limit=10000)
    party.responded_on = _received_on(received_on, party, clocks.local_today(session))
    party.recorded_by = actor.username
    audit.record(session, actor=actor.username, action="hearing.response_recorded", case_id=case.id,
                 details={"party": party.id, "response": response, "received_on": party.responded_on.isoformat()})
    session.flush()
    result = summary(session, case)
    if result.all_answered:
        messages.send_message(session, actor=actor, case_id=case.id, name=ALL_ANSWERED,
                              data={"answered": result.answered, "objections": result.objections})
    return result
