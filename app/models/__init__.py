"""SQLAlchemy models; importing this package registers every table."""
from . import audit_guards
from .appeal import Appeal, DecisionParty
from .base import Base
from .case import Case, CaseStep
from .conversation import ConversationMessage
from .enums import STATUS_PRECEDENCE, CaseStatus, OutboxStatus, Outcome, Role, TaskStatus
from .external import ExternalTask, WorkerCredential
from .group import Group, group_membership
from .hearing import HearingParty
from .insight import CaseFigures, FiguresDay, FiguresMonthDays, NkiDay, TasksDay
from .notice import Notice
from .events import CaseEvent, MessageSubscription, PendingMessage, Timer
from .process import ProcessDraft, ProcessVersion
from .simulation import SimulationRun
from .records import AuditCheckpoint, AuditDetail, AuditEvent, Document, Incident, OutboxMessage, ReferenceSequence
from .task import HumanTask, TaskCandidateGroup
from .user import ApiToken, User
from .survey import SurveyAnswer, SurveyInvitation
from .throttle import ThrottleCounter

__all__ = [
    "audit_guards",
    "Appeal", "ApiToken", "AuditCheckpoint", "AuditDetail", "AuditEvent", "Incident", "Base", "Case", "CaseEvent",
    "CaseStep", "CaseStatus", "CaseFigures", "FiguresDay", "FiguresMonthDays", "NkiDay", "TasksDay",
    "ConversationMessage", "DecisionParty", "Document", "ExternalTask", "Group",
    "HearingParty", "SurveyAnswer", "SurveyInvitation",
    "HumanTask", "MessageSubscription", "Notice", "Outcome", "OutboxMessage", "OutboxStatus", "PendingMessage",
    "ProcessDraft", "ProcessVersion", "ReferenceSequence", "Role", "STATUS_PRECEDENCE", "SimulationRun",
    "TaskCandidateGroup",
    "TaskStatus", "ThrottleCounter", "Timer", "User", "WorkerCredential", "group_membership",
]
