"""Append-only audit events, outbox, documents and reference sequences."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .enums import OutboxStatus

if TYPE_CHECKING:
    from .case import Case


class AuditEvent(Base):
    """One state change or human action; ``hash`` chains it to the previous event.

    Append-only: never updated or deleted (a trigger enforces it on PostgreSQL).
    The details, which may hold personal data, live in ``AuditDetail`` and enter
    the chain by their hash, so retention can erase them by a recorded
    redaction without rewriting history.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(80), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    element_id: Mapped[str | None] = mapped_column(String(120))
    details_hash: Mapped[str] = mapped_column(String(64))
    #: 2: the chain covers ``details_hash``; 1: events from before revision 0003,
    #: chained over their details inline (still verifiable from ``AuditDetail``).
    chain_version: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    detail: Mapped[AuditDetail] = relationship(lazy="joined", uselist=False)

    @property
    def details(self) -> dict:
        if self.detail is None or self.detail.details is None:
            return {"redacted": True}
        return self.detail.details


class AuditDetail(Base):
    """The details of one audit event; erasable by retention (recorded redaction)."""

    __tablename__ = "audit_detail"

    event_id: Mapped[int] = mapped_column(ForeignKey("audit_event.id"), primary_key=True)
    details: Mapped[dict | None] = mapped_column(JSON)
    #: The audit event that recorded the erasure, when ``details`` was erased.
    redacted_by_event_id: Mapped[int | None] = mapped_column(Integer)


class AuditCheckpoint(Base):
    """A signed statement of the chain's head at some moment (see services.audit_checkpoints)."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, index=True)
    event_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    #: HMAC-SHA256 over id, hash and time with the installation's audit key.
    signature: Mapped[str] = mapped_column(String(64))


class OutboxMessage(Base):
    """An e-mail written in the transaction that caused it, sent later (see services.outbox, app.mailer)."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(Enum(OutboxStatus, native_enum=False, length=20), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    #: The letter this e-mail carries; its PDF is attached when the message is sent.
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"), index=True)
    #: The sender that claimed the row for one delivery attempt, and when; a claim older
    #: than the claim timeout (the sender died) is given up and the row is claimable again.
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_at: Mapped[datetime | None]

    case: Mapped[Case | None] = relationship()
    document: Mapped[Document | None] = relationship()


class Document(Base):
    """A document of a case: an uploaded file, or a letter the authority issued.

    Uploads are content-addressed files (``sha256`` of the bytes). A letter is
    frozen HTML rendered from the process's template when it was issued
    (``sha256`` of that HTML); its PDF is made from it on demand and cached.
    """

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    #: "upload", or the letter's kind ("receipt", "decision", ...).
    kind: Mapped[str] = mapped_column(String(40), default="upload", server_default="upload")
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    #: Bytes of an upload; None for a letter (its PDF is made on demand).
    size: Mapped[int | None]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    #: A letter's language ("sv", "en") and frozen HTML; never changed after it was issued.
    language: Mapped[str | None] = mapped_column(String(5))
    html: Mapped[str | None] = mapped_column(Text)
    #: Whom a letter is addressed to; None means the applicant.
    recipient_name: Mapped[str | None] = mapped_column(String(200))
    #: The applicant may read it (their own uploads and letters to them).
    for_applicant: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    #: What an upload shows: ritning, situationsplan, fasad, sektion or annat (None for letters).
    category: Mapped[str | None] = mapped_column(String(20))
    #: The upload this one replaces (a new version of a drawing), and its version number.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    @property
    def is_letter(self) -> bool:
        return self.kind != "upload"


class ReferenceSequence(Base):
    """The last number handed out per series and year (BYGG 2026-000042)."""

    __tablename__ = "reference_sequence"
    __table_args__ = (UniqueConstraint("series", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(String(20))
    year: Mapped[int]
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Incident(Base):
    """A failed process step. The action was rolled back and is kept here to retry or skip."""

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    element_id: Mapped[str | None] = mapped_column(String(120))
    error: Mapped[str] = mapped_column(Text)
    #: What was being done: {"kind": "complete_task"|"message"|"timer", ...}.
    action: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(20))
    resolved_by: Mapped[str | None] = mapped_column(String(80))
