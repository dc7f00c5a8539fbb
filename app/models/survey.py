"""The applicants' satisfaction survey (SKR Insikt, NKI): invitations by signed link, and answers."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .case import Case


class SurveyInvitation(Base):
    """One invitation per closed case; its link is signed and works once."""

    __tablename__ = "survey_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    #: SHA-256 of the secret part of the link (the link itself is never stored).
    secret_hash: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(5))
    #: Indexed: the survey's figures (and the dashboard's NKI) read a period's invitations by it.
    created_at: Mapped[datetime] = mapped_column(index=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_sent_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship(lazy="joined")


class SurveyAnswer(Base):
    """The answer to one invitation: no name, only the case's kind and the scores."""

    __tablename__ = "survey_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("survey_invitation.id"), unique=True)
    answered_at: Mapped[datetime] = mapped_column(index=True)
    #: The top of the answer scale when it was given (1 … scale_max).
    scale_max: Mapped[int] = mapped_column(Integer)
    #: Question → score (None: "cannot say"), for the three NKI questions and the six factors.
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    comment: Mapped[str | None] = mapped_column(Text)

    invitation: Mapped[SurveyInvitation] = relationship(lazy="joined")
