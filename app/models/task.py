"""The inbox projection of a case's human tasks."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Enum, Float, ForeignKey, Index, String, event, inspect, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .base import Base
from .case import Case
from .enums import TaskStatus
from .user import User

#: ``HumanTask.sort_due`` of a task whose case has no running statutory clock: after every real date.
NO_DEADLINE = date(9999, 12, 31)
_OPEN = text("status = 'OPEN'")


def _open_index(name: str, *columns: str) -> Index:
    """A partial index over open tasks only: the inbox's filters and sorts, small however many tasks closed."""
    return Index(name, *columns, sqlite_where=_OPEN, postgresql_where=_OPEN)


def _timed_index(name: str, seconds: str) -> Index:
    """A partial index over completed tasks' times per version and task: the heatmap counts them and reads
    each median at its offset in the index, whatever the number of tasks."""
    where = text(f"{seconds} IS NOT NULL")
    return Index(name, "process_version_id", "element_id", seconds, sqlite_where=where, postgresql_where=where)


class HumanTask(Base):
    """A user task offered to a group, written in the same transaction as the case."""

    __tablename__ = "human_task"
    __table_args__ = (
        _open_index("ix_human_task_open_group_due", "group", "sort_due", "created_at", "id"),
        _open_index("ix_human_task_open_group_created", "group", "created_at", "id"),
        _open_index("ix_human_task_open_assignee_due", "assignee_id", "sort_due", "created_at", "id"),
        _open_index("ix_human_task_open_assignee_created", "assignee_id", "created_at", "id"),
        _open_index("ix_human_task_open_element_due", "element_id", "sort_due", "created_at", "id"),
        _open_index("ix_human_task_open_element_created", "element_id", "created_at", "id"),
        # "assigned to me" with a task type: without these, SQLite walks every open task of the type
        _open_index("ix_human_task_open_assignee_element_due", "assignee_id", "element_id", "sort_due", "created_at",
                    "id"),
        _open_index("ix_human_task_open_assignee_element_created", "assignee_id", "element_id", "created_at", "id"),
        _timed_index("ix_human_task_version_element_wait", "wait_seconds"),
        _timed_index("ix_human_task_version_element_work", "work_seconds"),
    )

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
    #: The case's statutory deadline copied here so one index sorts the inbox by it (``NO_DEADLINE`` when
    #: no clock runs); kept equal to ``Case.statutory_due`` at every flush (``_copy_case_deadlines`` below).
    sort_due: Mapped[date] = mapped_column(Date, default=NO_DEADLINE, server_default=NO_DEADLINE.isoformat())
    #: Set when the task is completed after a claim (``_time_completed_tasks`` below), else empty: the version
    #: its case was on, the wait (ready -> claimed) and the work (claimed -> completed) in seconds.
    process_version_id: Mapped[int | None]
    wait_seconds: Mapped[float | None] = mapped_column(Float)
    work_seconds: Mapped[float | None] = mapped_column(Float)

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


def seconds(start: datetime, end: datetime) -> float:
    """``end - start`` in seconds, to the millisecond (as the migration's back-fill computes it)."""
    return round((end - start).total_seconds(), 3)


@event.listens_for(Session, "before_flush")
def _time_completed_tasks(session: Session, _context, _instances) -> None:
    """A completed task carries its wait and work times and its case's version; any other task none."""
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, HumanTask):
            continue
        timed = obj.status == TaskStatus.COMPLETED and None not in (obj.claimed_at, obj.completed_at)
        if not timed:
            obj.process_version_id = obj.wait_seconds = obj.work_seconds = None
        elif obj.wait_seconds is None:
            case = obj.case if "case" not in inspect(obj).unloaded else session.get(Case, obj.case_id)
            obj.process_version_id = case.process_version_id if case is not None else None
            obj.wait_seconds = seconds(obj.created_at, obj.claimed_at)
            obj.work_seconds = seconds(obj.claimed_at, obj.completed_at)


@event.listens_for(Session, "before_flush")
def _copy_case_deadlines(session: Session, _context, _instances) -> None:
    """Keep ``HumanTask.sort_due`` equal to its case's statutory deadline, whoever changed either."""
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, HumanTask) and obj.status == TaskStatus.OPEN:
            case = obj.case if "case" not in inspect(obj).unloaded else session.get(Case, obj.case_id)
            if case is not None:
                obj.sort_due = case.statutory_due or NO_DEADLINE
        elif isinstance(obj, Case) and obj.id is not None and inspect(obj).attrs.statutory_due.history.has_changes():
            due = obj.statutory_due or NO_DEADLINE
            session.execute(update(HumanTask).where(HumanTask.case_id == obj.id, HumanTask.status == TaskStatus.OPEN)
                            .values(sort_due=due).execution_options(synchronize_session=False))
            for task in session.identity_map.values():
                if isinstance(task, HumanTask) and task.case_id == obj.id and task.status == TaskStatus.OPEN:
                    task.sort_due = due
