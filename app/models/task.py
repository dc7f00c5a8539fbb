"""The inbox projection of a case's human tasks."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .case import Case
from .enums import TaskStatus
from .user import User


class HumanTask(Base):
    """A user task offered to a group, written in the same transaction as the case."""

    __tablename__ = "human_task"

    #: SpiffWorkflow's task id (uuid).
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    element_id: Mapped[str] = mapped_column(String(120), index=True)
    title: Mapped[str] = mapped_column(String(300))
    title_sv: Mapped[str | None] = mapped_column(String(300))
    group: Mapped[str] = mapped_column(String(40), index=True)
    #: What tells the instances of a multi-instance task apart (e.g. the referral), from its ``subject`` property.
    subject: Mapped[str | None] = mapped_column(String(120))
    form: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[TaskStatus] = mapped_column(Enum(TaskStatus, native_enum=False, length=20), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: When the assignee took the task (claim, reassignment, or completion without a claim);
    #: cleared with the assignee. Wait time is ready -> claimed, work time claimed -> completed.
    claimed_at: Mapped[datetime | None]
    #: Form defaults computed from case data when the task became ready.
    defaults: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None] = mapped_column(index=True)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: The data the user submitted.
    submitted: Mapped[dict | None] = mapped_column(JSON)

    case: Mapped[Case] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])
    other_groups: Mapped[list[TaskCandidateGroup]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="TaskCandidateGroup.position")

    @property
    def groups(self) -> list[str]:
        """Every group the task is offered to: ``group`` first."""
        return ([self.group] if self.group else []) + [g.group for g in self.other_groups]

    def offered_to(self, user: User) -> bool:
        """Whether ``user`` may work this task: one of its groups, or assigned to it."""
        return bool(set(self.groups) & user.work_groups) or (self.assignee_id is not None
                                                             and self.assignee_id == user.id)


class TaskCandidateGroup(Base):
    """A further group a task is offered to, when it is offered to several (``HumanTask.group`` is the first)."""

    __tablename__ = "task_candidate_group"

    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"), primary_key=True)
    group: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)
