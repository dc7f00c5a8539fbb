"""Messages to cases: stored first, delivered when the case waits for them, never dropped."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case, Incident, MessageSubscription, PendingMessage, ProcessVersion, User

from . import audit, clocks, conversation, incidents, locks, runner
from .cases import get_case, is_staff
from .errors import N_, CaseBlocked, CaseClosed, Forbidden, InvalidInput, StepFailed
from .processes import message_names

#: Messages an applicant may send to their own case.
APPLICANT_MESSAGES = {"supplement_received", "comments_received"}


def may_send(session: Session, *, actor: User, case_id: int, name: str) -> Case:
    """The case, if ``actor`` may send it a message called ``name``; otherwise the refusal."""
    case = get_case(session, actor=actor, case_id=case_id)
    if not is_staff(actor) and name not in APPLICANT_MESSAGES:
        raise Forbidden(f"applicants cannot send {name!r}")
    return case


@dataclass(frozen=True)
class Receipt:
    """What became of a message: delivered now, recorded as material, or kept (with the incident if a step
    after it failed)."""

    message: PendingMessage
    incident: Incident | None = None

    @property
    def taken_as(self) -> str | None:
        """The clock event a supplement the case was not waiting for was recorded as."""
        return self.message.payload.get("taken_as")

    @property
    def delivered(self) -> bool:
        return self.message.delivered_at is not None


def send_message(session: Session, *, actor: User, case_id: int, name: str, data: Mapping) -> Receipt:
    """Store the message, then deliver it if the case waits for it.

    The case's row is locked first, so a message and a task completion on
    the same case take turns instead of one of them failing, and whether the
    case waits for the message is read after the other one finished. Delivery
    runs in a savepoint: if a step fails, only the delivery is rolled back;
    the message stays stored (pending) and an incident records the failure,
    so an administrator's retry delivers it.
    """
    case = may_send(session, actor=actor, case_id=case_id, name=name)
    _check(session, case=case, name=name, data=data)
    case = locks.case(session, case.id)
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
    if name == runner.SUPPLEMENT_MESSAGE and isinstance(data.get("message"), str):
        conversation.record_supplement_text(session, case=case, actor=actor, text=data["message"],
                                            documents=[d for d in data.get("documents") or [] if isinstance(d, int)])
    if name == runner.SUPPLEMENT_MESSAGE and waiting is None:
        _material_not_asked_for(session, case, message, actor)
    return _deliver(session, case, message, actor=actor.username)


def _check(session: Session, *, case: Case, name: str, data: Mapping) -> None:
    if not isinstance(data, Mapping):
        raise InvalidInput([{"field": "data", "message": "must be a JSON object"}])
    known = message_names(session, session.get(ProcessVersion, case.process_version_id))
    if name not in known:
        raise InvalidInput([{"field": "name", "message": f"the process has no message {name!r} "
                                                        f"(known: {', '.join(sorted(known))})"}])


def _deliver(session: Session, case: Case, message: PendingMessage, *, actor: str) -> Receipt:
    """Settle the case (which delivers the message if it waits for it); a failed step keeps it pending."""
    try:
        incidents.ensure_actionable(session, case)
    except CaseBlocked:
        return Receipt(message)  # delivered when the case is resumed or its incident resolved
    try:
        with audit.savepoint(session):
            runner.apply(session, case, lambda wf, events, host: None, actor=actor)
    except StepFailed as exc:
        exc.action = {"kind": "message", "message_id": message.id, "name": message.name, "actor": actor}
        return Receipt(message, incidents.record_step_failure(session, exc))
    return Receipt(message)


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


def kept_for_waiting_cases(session: Session, limit: int = 100) -> list[int]:
    """Cases that wait for a message kept for them (left by the outbox, say) and may take it now."""
    blocked = select(Incident.case_id).where(Incident.resolved_at.is_(None))
    waits = and_(MessageSubscription.case_id == PendingMessage.case_id, MessageSubscription.name == PendingMessage.name)
    return list(session.scalars(
        select(PendingMessage.case_id).join(MessageSubscription, waits).join(Case, Case.id == PendingMessage.case_id)
        .where(PendingMessage.delivered_at.is_(None), Case.suspended_at.is_(None), Case.completed_at.is_(None),
               PendingMessage.case_id.not_in(blocked))
        .distinct().order_by(PendingMessage.case_id).limit(limit)))


def deliver_kept(session: Session, case_id: int) -> None:
    """Deliver the kept messages ``case_id`` waits for; a failing step keeps the message in its incident."""
    case = session.get(Case, case_id)
    try:
        runner.apply(session, case, lambda wf, events, host: None, actor="scheduler")
    except StepFailed as exc:
        kept = session.scalar(select(PendingMessage).where(
            PendingMessage.case_id == case_id, PendingMessage.delivered_at.is_(None)).order_by(PendingMessage.id))
        exc.action = {"kind": "message", "name": kept.name if kept else "", "payload": kept.payload if kept else {},
                      "actor": "scheduler", "kept_message_id": kept.id if kept else None}
        raise


def hand_to_incident(session: Session, message_id: int | None) -> None:
    """A kept message whose delivery failed is held by its incident (whose retry delivers it again)."""
    message = session.get(PendingMessage, message_id) if message_id else None
    if message is not None and message.delivered_at is None:
        message.delivered_at = utcnow()
        message.payload = {**message.payload, "taken_as": "incident"}
