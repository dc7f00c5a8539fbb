"""External tasks waiting for integration workers, and the workers' credentials."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .case import Case


class ExternalTask(Base):
    """A started external task of a case, offered on its topic (written in the case's transaction).

    The row exists while the task waits; a worker locks it for a while, then
    completes it or reports a failure. With no retries left it waits for an
    administrator (an incident).
    """

    __tablename__ = "external_task"

    #: SpiffWorkflow's task id (uuid).
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    element_id: Mapped[str] = mapped_column(String(120))
    topic: Mapped[str] = mapped_column(String(200), index=True)
    #: The case data when the task started: what workers get.
    variables: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Failures a worker may still report before the task becomes an incident.
    retries: Mapped[int] = mapped_column(Integer)
    worker_id: Mapped[str | None] = mapped_column(String(200))
    lock_expires_at: Mapped[datetime | None] = mapped_column(index=True)
    #: Not offered again before this time (a failure's retry timeout).
    retry_at: Mapped[datetime | None]
    error_message: Mapped[str | None] = mapped_column(Text)
    error_details: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]

    case: Mapped[Case] = relationship()


class WorkerCredential(Base):
    """A credential an administrator issues to an integration worker (archive, e-signing, GIS …)."""

    __tablename__ = "worker_credential"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    #: sha256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The topics it may fetch; empty: every topic.
    topics: Mapped[list] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
