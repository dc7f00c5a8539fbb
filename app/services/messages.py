"""Messages to cases: kept until the case waits for them, never dropped."""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case, MessageSubscription, PendingMessage, ProcessVersion, User

from . import audit, clocks, incidents, runner
from .cases import get_case, is_staff
from .errors import N_, CaseBlocked, CaseClosed, Forbidden, InvalidInput, StepFailed
from .processes import message_names

#: Messages an applicant may send to their own case.
APPLICANT_MESSAGES = {"supplement_received", "comments_received"}


def send_message(session: Session, *, actor: User, case_id: int, name: str, data: Mapping) -> PendingMessage:
    """Store the message and deliver it now if the case waits for it."""
    case = get_case(session, actor=actor, case_id=case_id)
    if not is_staff(actor) and name not in APPLICANT_MESSAGES:
        raise Forbidden(f"applicants cannot send {name!r}")
    if not isinstance(data, Mapping):
        raise InvalidInput([{"field": "data", "message": "must be a JSON object"}])
    version = session.get(ProcessVersion, case.process_version_id)
    known = message_names(session, version)
    if name not in known:
        raise InvalidInput([{"field": "name", "message": f"the process has no message {name!r} "
                                                        f"(known: {', '.join(sorted(known))})"}])
    if case.completed_at is not None:
        raise CaseClosed(N_("the case is closed and takes no more messages"))
    waiting = session.scalar(select(MessageSubscription.id).where(
        MessageSubscription.case_id == case.id, MessageSubscription.name == name).limit(1))
    message = PendingMessage(case_id=case.id, name=name, payload={**dict(data), "received_at": utcnow().isoformat()},
                             sender_id=actor.id, received_at=utcnow())
    session.add(message)
    session.flush()
    audit.record(session, actor=actor.username, action="message.received", case_id=case.id,
                 details={"name": name, "message_id": message.id})
    if name == runner.SUPPLEMENT_MESSAGE and waiting is None:
        _material_not_asked_for(session, case, message, actor)
    try:
        incidents.ensure_actionable(session, case)
    except CaseBlocked:
        return message  # kept; delivered when the case is resumed or its incident resolved
    try:
        runner.apply(session, case, lambda wf, events, host: None, actor=actor.username)
    except StepFailed as exc:
        exc.action = {"kind": "message", "name": name, "payload": message.payload, "actor": actor.username,
                      "sender_id": actor.id}
        raise
    return message


def _material_not_asked_for(session: Session, case: Case, message: PendingMessage, actor: User) -> None:
    """Material the case is not waiting for: a document of the case and a clock event, never a later reply.

    Sent before any supplement order, it is material on the applicant's own
    initiative and restarts the statutory clock; a later order waits for a
    new reply. Sent while an order within the 3-week window is outstanding
    (the coordinator is looking at an earlier reply), it answers that order.
    """
    kind = "supplement_received" if clocks.clocks_for(session, case).awaiting_remedy else "own_initiative_supplement"
    clocks.record(session, case, kind, {"message_id": message.id}, actor=actor.username)
    message.delivered_at = utcnow()  # recorded with the case; not kept for a later order
    message.payload = {**message.payload, "taken_as": kind}
    audit.record(session, actor=actor.username, action=f"case.{kind}", case_id=case.id,
                 details={"message_id": message.id, "documents": list(message.payload.get("documents") or [])})
