"""Business status values, stored as enums."""
from __future__ import annotations

import enum


class Role(str, enum.Enum):
    """Rights. Work is routed to groups (``Group`` rows), never to roles."""

    APPLICANT = "applicant"
    PROCESS_OWNER = "process_owner"
    ADMIN = "admin"
    MANAGER = "manager"


class CaseStatus(str, enum.Enum):
    RECEIVED = "received"
    IN_TRIAGE = "in_triage"
    AWAITING_DECISION = "awaiting_decision"
    AWAITING_SUPPLEMENT = "awaiting_supplement"
    IN_REVIEW = "in_review"
    AWAITING_REFERRALS = "awaiting_referrals"
    NEIGHBOUR_HEARING = "neighbour_hearing"
    AWAITING_COMMITTEE = "awaiting_committee"
    AWAITING_COMMENTS = "awaiting_comments"
    DECIDED = "decided"
    #: A timely appeal was sent on; the decision waits for the appeal body's ruling.
    APPEALED = "appealed"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    TERMINATED = "terminated"


#: When several branches are active, the case shows the earliest-listed one.
#: Once decided, a case reads as decided whatever side branch is still open.
STATUS_PRECEDENCE = [
    CaseStatus.TERMINATED,
    CaseStatus.CLOSED,
    CaseStatus.WITHDRAWN,
    CaseStatus.APPEALED,
    CaseStatus.DECIDED,
    CaseStatus.AWAITING_SUPPLEMENT,
    CaseStatus.AWAITING_COMMENTS,
    CaseStatus.IN_TRIAGE,
    CaseStatus.AWAITING_REFERRALS,
    CaseStatus.NEIGHBOUR_HEARING,
    CaseStatus.IN_REVIEW,
    CaseStatus.AWAITING_DECISION,
    CaseStatus.AWAITING_COMMITTEE,
    CaseStatus.RECEIVED,
]


class Outcome(str, enum.Enum):
    GRANTED = "granted"
    REFUSED = "refused"
    DISMISSED = "dismissed"
    WITHDRAWN = "withdrawn"
    #: Triage found that the measure needs no permit: closed with advice, not a decision.
    NO_PERMIT_NEEDED = "no_permit_needed"


class TaskStatus(str, enum.Enum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class OutboxStatus(str, enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
