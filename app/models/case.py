"""Cases (process instances) and their searchable facts."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Enum, ForeignKey, Index, Integer, JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .enums import CaseStatus, Outcome
from .process import ProcessVersion
from .user import User


class Case(Base):
    """One case of any process: the running workflow and what the inbox needs."""

    __tablename__ = "case"
    __table_args__ = (  # the case list, newest first: all, by status, an applicant's own (keyset pages)
        Index("ix_case_created", "created_at", "id"),
        Index("ix_case_status_created", "status", "created_at", "id"),
        Index("ix_case_applicant_created", "applicant_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(40), unique=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    #: SpiffWorkflow serializer JSON with the spec stored by reference.
    state: Mapped[str] = mapped_column(Text)
    #: Optimistic lock: every save increments it; a stale save raises a conflict.
    version: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[CaseStatus] = mapped_column(Enum(CaseStatus, native_enum=False, length=40), index=True)
    outcome: Mapped[Outcome | None] = mapped_column(Enum(Outcome, native_enum=False, length=20))
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: Searchable facts copied from the start form when it has these fields (any process may lack them).
    applicant_name: Mapped[str | None] = mapped_column(String(200))
    applicant_email: Mapped[str | None] = mapped_column(String(254))
    #: The case's named contact at the municipality (the lots): by default the first staff member who
    #: worked a task on it (the coordinator who triaged it); reassignable by staff.
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: The applicant's language ("sv" or "en"): letters and e-mail are written in it.
    language: Mapped[str] = mapped_column(String(5), default="sv", server_default="sv")
    property_designation: Mapped[str | None] = mapped_column(String(200), index=True)
    measure: Mapped[str | None] = mapped_column(String(40), index=True)
    case_type: Mapped[str | None] = mapped_column(String(40))
    track: Mapped[str | None] = mapped_column(String(20))
    #: The latest case data (task data of the active branches), for display.
    facts: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The steps (completed BPMN elements, in order) of the tasks still in ``state``; the steps before them are
    #: rows of ``case_step``, appended when compaction drops their tasks. ``steps`` is the whole path.
    path: Mapped[list] = mapped_column(JSON, default=list)
    #: The last handler error, kept until the case advances again.
    last_error: Mapped[str | None] = mapped_column(Text)
    #: Clocks, recomputed from case events on every save (see services.clocks).
    statutory_due: Mapped[date | None] = mapped_column(Date, index=True)
    service_goal_due: Mapped[date | None] = mapped_column(Date)
    deadline_extended: Mapped[bool] = mapped_column(Boolean, default=False)
    fee_reduction_fifths: Mapped[int | None]
    #: The clocks' fold over the case events taken in so far (services.clock_fold): the next save feeds it
    #: only the events recorded since. Empty: rebuilt from all events.
    clock_state: Mapped[dict | None] = mapped_column(JSON)
    #: Suspended cases take no actions and fire no timers; messages wait.
    suspended_at: Mapped[datetime | None]
    suspended_reason: Mapped[str | None] = mapped_column(Text)
    #: When retention erased the personal data.
    redacted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]

    @property
    def has_applicant(self) -> bool:
        """Whether someone applied: an applicant's account or address (a case staff start for the municipality's
        own work, such as an invoice, has neither, and nobody to write to)."""
        return self.applicant_id is not None or bool(self.applicant_email)

    process_version: Mapped[ProcessVersion] = relationship()
    contact: Mapped[User | None] = relationship(foreign_keys=[contact_id], lazy="selectin")
    #: The earlier steps (appended, never rewritten); read when the whole path is shown.
    earlier_steps: Mapped[list[CaseStep]] = relationship(order_by="CaseStep.id", viewonly=True)

    __mapper_args__ = {"version_id_col": version}

    @property
    def steps(self) -> list[dict]:
        """The whole path: every BPMN element the case completed, in the order they finished."""
        earlier = [row.step for row in self.earlier_steps] if self.id is not None else []
        recent = [step for step in self.path or [] if isinstance(step, dict)]
        if not earlier or not recent or _at(earlier[-1]) <= _at(recent[0]):
            return earlier + recent
        return sorted(earlier + recent, key=_at)


def _at(step: dict) -> datetime:
    return datetime.fromisoformat(step["at"])


class CaseStep(Base):
    """One step of a case's path whose task is no longer in its saved state (append-only).

    A save writes only the steps its compaction let go; the saved path in ``case.path`` stays as short as
    the saved state, so a step costs the same however long the case has run.
    """

    __tablename__ = "case_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    #: {element, name, name_sv?, type, at, task} as ``ProcessEngine.path`` gives it.
    step: Mapped[dict] = mapped_column(JSON)
