"""Verifying the audit chain: links, contents, redactions, checkpoints, witnesses.

An event is genuine when its hash is the hash of its content and of the
previous event's hash. Its details must match the hash it carries — unless
they were erased by a recorded redaction: a later ``retention.redacted`` event
of the same case whose own details list this event. Signed checkpoints (see
``audit_checkpoints``) must still point at events with the signed hashes, and
no signed checkpoint may lie past the end of the chain.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditDetail, AuditEvent

from . import audit_checkpoints
from .audit import GENESIS, canonical, details_digest, event_hash
from .errors import N_

REDACTION = "retention.redacted"
BATCH = 5000


@dataclass
class Broken:
    event_id: int
    action: str | None
    actor: str | None
    at: datetime | None
    #: The English reason with %(name)s placeholders (a msgid of the message catalogue) and its values.
    reason_template: str
    params: dict = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return self.reason_template % self.params

    def describe(self) -> str:
        what = f" ({self.action} by {self.actor} at {self.at.isoformat()})" if self.action and self.at else ""
        return f"audit event {self.event_id}{what}: {self.reason}"


@dataclass
class Report:
    events: int = 0
    checkpoints: int = 0
    head_id: int | None = None
    head_hash: str | None = None
    broken: Broken | None = None


@dataclass
class _Redaction:
    case_id: int | None
    events: set[int] = field(default_factory=set)


def _legacy_hash(row, details: dict) -> str:
    """The formula of events written before revision 0003 (details inline in the hash)."""
    body = canonical({"prev": row.prev_hash, "at": row.at.isoformat(), "actor": row.actor, "action": row.action,
                      "case": row.case_id, "element": row.element_id, "details": details})
    return hashlib.sha256(body.encode()).hexdigest()


def _redactions(session: Session) -> dict[int, _Redaction]:
    rows = session.execute(select(AuditEvent.id, AuditEvent.case_id, AuditDetail.details)
                           .join(AuditDetail, AuditDetail.event_id == AuditEvent.id)
                           .where(AuditEvent.action == REDACTION))
    found = {}
    for event_id, case_id, details in rows:
        listed = (details or {}).get("events") if isinstance(details, dict) else None
        found[event_id] = _Redaction(case_id, {int(i) for i in listed or [] if isinstance(i, int)})
    return found


def _erasure_problem(row, redactions: dict[int, _Redaction]) -> str | None:
    """Why an erased detail is not covered by a genuine redaction (None if it is)."""
    if row.chain_version != 2:
        return N_("the details of an event of the old chain format were erased; it can no longer be verified")
    redaction = redactions.get(row.redacted_by_event_id)
    if redaction is None:
        return N_("its details were erased without a recorded redaction")
    if row.redacted_by_event_id <= row.id:
        return N_("its details were erased by a redaction recorded before the event itself")
    if redaction.case_id is None or redaction.case_id != row.case_id:
        return N_("its details were erased by a redaction of another case")
    if row.id not in redaction.events:
        return N_("its details were erased by a redaction that does not name this event")
    return None


def _content_problem(row, redactions: dict[int, _Redaction]) -> str | None:
    if row.has_detail is None:
        return N_("its details are missing")
    if row.details is None:
        problem = _erasure_problem(row, redactions)
        if problem:
            return problem
    elif details_digest(row.details) != row.details_hash:
        return N_("its details do not match their hash")
    if row.chain_version == 1:
        if _legacy_hash(row, row.details) != row.hash:
            return N_("its content does not match its hash")
    elif row.chain_version != 2:
        return N_("it claims an unknown chain format")
    elif event_hash(row.prev_hash, row.at, row.actor, row.action, row.case_id, row.element_id,
                    row.details_hash) != row.hash:
        return N_("its content does not match its hash")
    return None


def _rows(session: Session):
    query = (select(AuditEvent.id, AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.case_id,
                    AuditEvent.element_id, AuditEvent.details_hash, AuditEvent.chain_version, AuditEvent.prev_hash,
                    AuditEvent.hash, AuditDetail.event_id.label("has_detail"), AuditDetail.details,
                    AuditDetail.redacted_by_event_id)
             .outerjoin(AuditDetail, AuditDetail.event_id == AuditEvent.id).order_by(AuditEvent.id))
    return session.execute(query.execution_options(yield_per=BATCH))


def verify(session: Session, *, witness: tuple[int, str] | None = None) -> Report:
    """Walk the whole chain; report the first event that does not hold."""
    report = Report()
    redactions = _redactions(session)
    checkpoints = audit_checkpoints.all_checkpoints(session)
    report.checkpoints = len(checkpoints)
    for cp in checkpoints:
        if not audit_checkpoints.is_genuine(session, cp):
            report.broken = Broken(cp.event_id, None, None, None,
                                   N_("checkpoint %(checkpoint)s carries a false signature"), {"checkpoint": cp.id})
            return report
    signed = {cp.event_id: cp.event_hash for cp in checkpoints}
    if witness is not None:
        signed.setdefault(witness[0], witness[1])
    prev = GENESIS
    for row in _rows(session):
        problem = None
        if row.prev_hash != prev:
            problem = N_("its link to the previous event does not match")
        problem = problem or _content_problem(row, redactions)
        if problem is None and row.id in signed and signed[row.id] != row.hash:
            problem = N_("its hash differs from the one signed in a checkpoint or given by the witness")
        if problem:
            report.broken = Broken(row.id, row.action, row.actor, row.at, problem)
            return report
        report.events += 1
        report.head_id, report.head_hash, prev = row.id, row.hash, row.hash
    missing = [event_id for event_id in signed if report.head_id is None or event_id > report.head_id]
    if missing:
        report.broken = Broken(max(missing), None, None, None,
                               N_("the chain ends at event %(head)s, but event %(signed)s was signed in a checkpoint "
                                  "or witnessed: events were deleted from its end"),
                               {"head": report.head_id or 0, "signed": max(missing)})
    return report


def sign_verified_head(session: Session, report: Report) -> audit_checkpoints.Head | None:
    """Sign the head an intact verification reached (a checkpoint on every verify)."""
    if report.broken is not None or report.head_id is None:
        return None
    return audit_checkpoints.write(session, report.head_id, report.head_hash)
