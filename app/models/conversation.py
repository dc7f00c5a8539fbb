"""The conversation of a case: what the applicant writes and what the municipality answers."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .user import User


class ConversationMessage(Base):
    """One message in a case's conversation (the text sent with a supplement is one too)."""

    __tablename__ = "conversation_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: True when the applicant wrote it; False when the municipality answered.
    from_applicant: Mapped[bool] = mapped_column(Boolean)
    #: "message" (written in the conversation) or "supplement" (the text sent with a supplement).
    source: Mapped[str] = mapped_column(String(20), default="message")
    text: Mapped[str] = mapped_column(Text)
    #: Ids of the case documents attached to it.
    documents: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]

    author: Mapped[User | None] = relationship(lazy="selectin")
