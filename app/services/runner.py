"""Apply one action to a case: load, act, run engine steps, persist projections.

Everything an action changes (instance state, inbox projection, timers,
message subscriptions, case facts, audit events, outbox) is written in the
caller's transaction; the caller commits once. A failing handler raises
``StepFailed`` and the caller rolls everything back.
"""
from __future__ import annotations

import copy
import functools
from datetime import date
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.clock import utcnow
from app.engine.runtime import EngineError, Snapshot, Step
from app.models import (
    Case, CaseStatus, CaseStep, Document, HearingParty, HumanTask, OutboxMessage, OutboxStatus, Outcome,
    PendingMessage, ProcessVersion, STATUS_PRECEDENCE, TaskStatus)
from app.letters.templates import LetterError
from handlers.registry import HandlerContext, HandlerError, HandlerInputError, Notification

from . import (appeal_period, audit, clocks, extension_rules, external_projection, letters, notices,
               numbering, process_info, task_projection, waits)
from . import groups as group_service
from .env import get_env
from .errors import ConcurrentUpdate, InvalidInput, StepFailed
from .insight import figures

#: The message by which an applicant's supplement reaches a case (see clocks).
SUPPLEMENT_MESSAGE = "supplement_received"

Action = Callable[[Any, list[dict], "CaseHost"], None]


@dataclass
class CaseHost:
    """What handlers may ask of the host during one action (all in its transaction)."""

    session: Session
    case: Case
    #: Who acts (a username, or "system" / "scheduler"): the case events are theirs.
    actor: str = "system"
    notifications: list[Notification] = field(default_factory=list)
    case_events: list[tuple[str, dict]] = field(default_factory=list)

    def next_number(self, series: str, year: int) -> int:
        return numbering.next_number(self.session, series, year)

    def notify(self, notification: Notification) -> None:
        self.notifications.append(notification)

    def record_event(self, kind: str, data: Mapping[str, Any]) -> None:
        self.case_events.append((kind, dict(data)))
        self._flush_case()
        if kind == "received" and data.get("reference"):
            self.case.reference = data["reference"]  # registered: letters issued in this step quote it
        clocks.record(self.session, self.case, kind, data, actor=self.actor)

    def has_event(self, kind: str) -> bool:
        self._flush_case()
        return any(e.kind == kind for e in clocks.events_of(self.session, self.case.id))

    def statutory_clock(self, case_type: str | None = None) -> dict:
        self._flush_case()
        return clocks.clocks_for(self.session, self.case, case_type=case_type).to_dict()

    def extend_deadline(self, reason: str, weeks: int | None = None) -> dict:
        self._flush_case()
        try:
            clock, weeks = extension_rules.check(self.session, self.case, reason, weeks)
        except InvalidInput as exc:
            raise HandlerInputError(exc.errors[0]["field"], exc.errors[0]["message"]) from exc
        self.record_event("extended", {"reason": reason.strip(), "weeks": weeks,
                                       "previous_due": clock.statutory_due.isoformat()})
        return clocks.clocks_for(self.session, self.case).to_dict()

    def send_letter(self, kind: str, values: Mapping[str, Any], recipient: Mapping[str, Any] | None = None) -> dict:
        self._flush_case()
        to = None
        if recipient is not None:
            to = letters.Recipient(name=str(recipient.get("name") or ""), email=recipient.get("email") or None,
                                   address=recipient.get("address"), language=recipient.get("language"))
        try:
            doc = letters.issue(self.session, case=self.case, kind=kind, values=values, recipient=to)
        except LetterError as exc:
            raise HandlerError(str(exc)) from exc
        return {"document_id": doc.id, "kind": kind, "language": doc.language}

    def publish_notice(self, kind: str, title: str, text: str, until: str) -> dict:
        self._flush_case()
        try:
            notice = notices.post_notice(self.session, case=self.case, kind=kind, title=title, text=text,
                                         until=date.fromisoformat(until))
        except InvalidInput as exc:
            raise HandlerInputError(exc.errors[0]["field"], exc.errors[0]["message"]) from exc
        return {"notice_id": notice.id, "channel": notice.channel, "posted_on": notice.posted_on.isoformat(),
                "until": notice.until.isoformat()}

    def hearing_parties(self) -> list[dict]:
        """The parties of the neighbour hearing: [{id, name, address, email, notified_at, response, response_text}]."""
        self._flush_case()
        rows = self.session.scalars(select(HearingParty).where(HearingParty.case_id == self.case.id)
                                    .order_by(HearingParty.id))
        return [{"id": p.id, "name": p.name, "address": p.address, "email": p.email,
                 "notified_at": p.notified_at.isoformat() if p.notified_at else None, "response": p.response,
                 "response_text": p.response_text} for p in rows]

    def party_notified(self, party_id: int, letter: Mapping[str, Any]) -> None:
        party = self.session.get(HearingParty, party_id)
        party.notified_at = utcnow()
        party.letter_document_id = letter.get("document_id")

    def open_tasks(self, element_id: str) -> list[dict]:
        """The case's open tasks of one element: [{id, group, title, title_sv, subject, due_at}]."""
        self._flush_case()
        rows = self.session.scalars(select(HumanTask).where(
            HumanTask.case_id == self.case.id, HumanTask.element_id == element_id,
            HumanTask.status == TaskStatus.OPEN).order_by(HumanTask.created_at))
        return [{"id": t.id, "group": t.group, "title": t.title, "title_sv": t.title_sv, "subject": t.subject,
                 "due_at": t.due_at.isoformat() if t.due_at else None} for t in rows]

    def recipient_names(self) -> dict[str, str]:
        """Swedish names of whoever a referral can go to: groups by title, external bodies by name."""
        names = {g.name: g.title_sv for g in group_service.list_groups(self.session)}
        bodies = get_env(self.session).settings.external_bodies
        return names | {k: b.get("name_sv") or k for k, b in bodies.items()}

    def documents(self) -> list[dict]:
        """The documents sent in to the case (not its letters): [{id, filename}]."""
        self._flush_case()
        rows = self.session.scalars(select(Document).where(Document.case_id == self.case.id, Document.kind == "upload")
                                    .order_by(Document.id))
        return [{"id": d.id, "filename": d.filename} for d in rows]

    def serve(self, document_id: int) -> dict:
        self._flush_case()
        party = appeal_period.add_applicant(self.session, self.case, self.session.get(Document, document_id))
        return {"party_id": party.id, "email": party.email}

    def appeal_period(self, decision: Mapping[str, Any]) -> dict:
        self._flush_case()
        return appeal_period.period_of(self.session, self.case, dict(decision)).to_dict()

    def _flush_case(self) -> None:
        if self.case.id is None:
            self.session.flush()


def _context_factory(session: Session, case: Case, host: CaseHost):
    version = session.get(ProcessVersion, case.process_version_id)
    settings = get_env(session).settings.handler_settings() | {
        "reference_prefix": process_info.of(version).reference_prefix}

    def context_for(step: Step) -> HandlerContext:
        return HandlerContext(
            case_id=case.id, reference=case.reference, element_id=step.element_id,
            now=utcnow(), data=copy.deepcopy(dict(step.data)), settings=settings, host=host)

    return context_for


def start_case(session: Session, case: Case, data: Mapping, *, actor: str) -> Snapshot:
    """Create the workflow for a new (flushed) case row and run it to its first wait."""
    env = get_env(session)
    host = CaseHost(session, case, actor=actor)
    events: list[dict] = []
    wf = env.engine.new(case.process_version_id, data, _context_factory(session, case, host))
    _guard(case, lambda: env.engine.run(wf, events))
    snapshot = _settle(session, case, wf, events)
    _persist(session, case, snapshot, host, actor=actor)
    return snapshot


def register(session: Session, case: Case, prefix: str) -> None:
    """Give a case whose process has no registering step of its own a reference, and record its arrival."""
    year = utcnow().astimezone(ZoneInfo(get_env(session).settings.timezone)).year
    case.reference = f"{prefix} {year}-{CaseHost(session, case).next_number(prefix, year):06d}"
    if not any(e.kind == "received" for e in clocks.events_of(session, case.id)):
        clocks.record(session, case, "received", {"reference": case.reference})
    audit.record(session, actor="system", action="case.received", case_id=case.id,
                 details={"reference": case.reference})
    clocks.refresh(session, case)
    session.flush()


def apply(session: Session, case: Case, action: Action, *, actor: str,
          completed_task: tuple[HumanTask, Any] | None = None, skips: dict | None = None) -> Snapshot:
    """Load the case's workflow, run ``action`` on it, persist the result.

    ``skips`` ({element id: result}) passes over those failed steps with the
    result an administrator entered, without running them (see engine.skips).
    """
    env = get_env(session)
    host = CaseHost(session, case, actor=actor)
    events: list[dict] = []
    wf = env.engine.load(case.state, _context_factory(session, case, host), skips)
    _guard(case, lambda: action(wf, events, host))
    snapshot = _settle(session, case, wf, events)
    _persist(session, case, snapshot, host, actor=actor, completed_task=completed_task)
    return snapshot


def context_for(session: Session, case: Case, host: CaseHost):
    """The handler-context factory for ``case`` (for callers that load the workflow themselves)."""
    return _context_factory(session, case, host)


def continue_loaded(session: Session, case: Case, wf, host: CaseHost, *, actor: str,
                    audit_first: Callable[[], None] | None = None) -> Snapshot:
    """Run engine steps on a workflow the caller loaded and changed (e.g. migrated), then persist.

    The caller holds the spec locks it needs. ``audit_first`` records the
    caller's own audit event before the engine's events.
    """
    env = get_env(session)
    events: list[dict] = []
    _guard(case, lambda: env.engine.run(wf, events))
    snapshot = _settle(session, case, wf, events)
    if audit_first is not None:
        audit_first()
    _persist(session, case, snapshot, host, actor=actor)
    return snapshot


def _guard(case: Case, fn: Callable[[], None]) -> None:
    try:
        fn()
    except HandlerInputError as exc:
        raise InvalidInput([{"field": exc.field, "message": exc.message}]) from exc
    except EngineError as exc:
        raise StepFailed(str(exc), case_id=case.id, element=exc.element, step=exc.step) from exc


def _settle(session: Session, case: Case, wf, events: list[dict]) -> Snapshot:
    """Deliver buffered messages the case now waits for, then snapshot it."""
    env = get_env(session)
    previous, settled = case.path, []
    while True:
        snapshot = env.engine.snapshot(wf, events, previous_path=previous, compact=True)
        previous = snapshot.path
        settled += snapshot.settled_path  # the steps of the tasks each snapshot's compaction dropped
        deliverable = _deliverable(session, case, {name for name, _ in snapshot.messages})
        if deliverable is None:
            snapshot.settled_path = settled
            return snapshot
        _guard(case, functools.partial(env.engine.deliver_message, wf, deliverable.name, deliverable.payload, events))
        deliverable.delivered_at = utcnow()
        if deliverable.name == SUPPLEMENT_MESSAGE:
            clocks.record(session, case, "supplement_received", {"message_id": deliverable.id})
        events.append({"action": "message.delivered", "name": deliverable.name, "message_id": deliverable.id})


def _deliverable(session: Session, case: Case, waiting: set[str]) -> PendingMessage | None:
    """The oldest buffered message the case waits for (none asked for when it waits for no message)."""
    if case.id is None or not waiting:
        return None
    return session.scalars(
        select(PendingMessage).where(PendingMessage.case_id == case.id, PendingMessage.delivered_at.is_(None),
                                     PendingMessage.name.in_(sorted(waiting)))
        .order_by(PendingMessage.id).limit(1)).first()


# ------------------------------------------------------------------ persistence


def _status(snapshot: Snapshot, outcome: Outcome | None) -> CaseStatus:
    if snapshot.completed and snapshot.data.get("terminated"):
        return CaseStatus.TERMINATED
    if snapshot.completed and outcome == Outcome.WITHDRAWN:
        return CaseStatus.WITHDRAWN
    present = {CaseStatus(s) for s in snapshot.statuses}
    for status in STATUS_PRECEDENCE:
        if status in present:
            return status
    return CaseStatus.DECIDED if snapshot.completed else CaseStatus.RECEIVED


def _outcome(data: Mapping) -> Outcome | None:
    decision = data.get("decision")
    if isinstance(decision, Mapping) and decision.get("outcome") in Outcome._value2member_map_:
        return Outcome(decision["outcome"])
    return None


def _persist(session: Session, case: Case, snapshot: Snapshot, host: CaseHost, *, actor: str,
             completed_task: tuple[HumanTask, Any] | None = None) -> None:
    now = utcnow()
    data = snapshot.data
    case_id = case.id
    case.state = snapshot.state
    case.facts = data
    case.path = snapshot.path
    case.outcome = _outcome(data) or case.outcome
    case.status = _status(snapshot, case.outcome)
    case.reference = (data.get("registration") or {}).get("reference") or case.reference
    case.case_type = data.get("case_type") or case.case_type
    case.track = data.get("track") or case.track
    case.updated_at = now
    case.last_error = None
    if snapshot.completed and case.completed_at is None:
        case.completed_at = now
    with session.no_autoflush:  # the case's events were flushed as they were recorded; the case row is written once
        clock = clocks.refresh(session, case)
    try:
        session.flush()  # the optimistic version check happens here
    except StaleDataError as exc:
        raise ConcurrentUpdate("the case was changed by someone else at the same time; reload and try again",
                               case_id=case_id) from exc
    with session.no_autoflush:  # each projection reads only rows it alone writes: one flush at the end
        _project(session, case, snapshot, host, now, completed_task, clock)
    audit.record(session, actor=actor, action="case.status", case_id=case.id,
                 details={"status": case.status.value, "outcome": case.outcome.value if case.outcome else None})
    session.flush()


def _project(session: Session, case: Case, snapshot: Snapshot, host: CaseHost, now, completed_task,
             clock: clocks.Clocks) -> None:
    """The case's history and the projections of its saved state: figures, inbox, external work, waits, outbox."""
    # What the engine did comes first in the history, then the work it left waiting (tasks ready, external work).
    for kind, details in host.case_events:
        audit.record(session, actor=host.actor, action=f"case.{kind}", case_id=case.id, details=details)
    for event in snapshot.engine_events:
        event = dict(event)
        audit.record(session, actor="engine", action=event.pop("action"), case_id=case.id,
                     element_id=event.pop("element", None), details=event)
    if snapshot.settled_path:  # appended once, in one statement; the saved path keeps only the rest
        session.execute(insert(CaseStep), [{"case_id": case.id, "step": step} for step in snapshot.settled_path])
    figures.project(session, case, clock)
    task_projection.project(session, case, snapshot, now, completed_task)
    external_projection.project(session, case, snapshot.external, now)
    waits.project_timers(session, case, snapshot.timers)
    waits.project_subscriptions(session, case, snapshot.messages)
    for n in host.notifications:
        for recipient in _recipients(session, n.recipient):
            session.add(OutboxMessage(case_id=case.id, kind=n.kind, recipient=recipient, subject=n.subject,
                                      body=n.body, status=OutboxStatus.PENDING, attempts=0, created_at=now,
                                      next_attempt_at=now))


def _recipients(session: Session, recipient: str) -> list[str]:
    """A recipient is an address, or ``group:<name>`` for the address of every active member of that group."""
    if not recipient.startswith("group:"):
        return [recipient]
    return group_service.member_emails(session, recipient.removeprefix("group:"))
