"""Deployed process versions."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base

if TYPE_CHECKING:
    from .user import User


class ProcessVersion(Base):
    """One deploy of a process model: its files, their hashes and parsed specs."""

    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("model", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The executable process id, e.g. "building_permit".
    model: Mapped[str] = mapped_column(String(120), index=True)
    number: Mapped[int]
    #: {file name: text} for every BPMN, DMN and form file of the deploy.
    files: Mapped[dict] = mapped_column(JSON)
    #: sha256 over the sorted files; identical content is not deployed twice.
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    #: SpiffWorkflow's serialized spec and subprocess specs, parsed once.
    spec_json: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text, default="")
    #: What the deploy settled about the process: {"lanes": {lane name: group name}, "warnings": […]}.
    properties: Mapped[dict] = mapped_column(JSON, default=dict)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    #: The deploy gate's report: verdict, warnings, coverage (None for versions deployed before the gate).
    gate_report: Mapped[dict | None] = mapped_column(JSON)

    author: Mapped[User | None] = relationship()

    @property
    def warnings(self) -> list[dict]:
        """What the deploy noted (changes nothing, or runs differently in Lotsen): [{file, line, element, message}].

        Kept in ``properties``.
        """
        return list((self.properties or {}).get("warnings") or [])

    @property
    def label(self) -> str:
        return f"{self.model} v{self.number}"


@event.listens_for(ProcessVersion, "load")
def _keep_in_session(version: ProcessVersion, context) -> None:
    """A session keeps each process version it has loaded until it ends.

    A session's identity map holds objects only weakly, and a step uses its case's version several times (the
    handlers' settings, the clocks, the inbox rows): without this each use read the version again, every file
    of the deploy with it.
    """
    context.session.info.setdefault("process_versions", set()).add(version)


class ProcessDraft(Base):
    """A process owner's unfinished edit of a model, saved from the studio."""

    __tablename__ = "process_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(120), unique=True)
    #: The whole bundle as edited: {file name: text}.
    files: Mapped[dict] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime]
    #: The version the draft started from (None for a new model).
    base_version_number: Mapped[int | None]

    author: Mapped[User | None] = relationship()
