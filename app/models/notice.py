"""Notices published about cases: on the public notice board (anslagstavla) or, before 2025-12-01, in PoIT."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Notice(Base):
    """One kungörelse or neighbour notice: what the public may read, and for how long."""

    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    #: "decision" (kungörelse of a decision) or "neighbour_notice" (underrättelse before a decision).
    kind: Mapped[str] = mapped_column(String(40))
    #: "anslagstavla" (shown on the board) or "post_och_inrikes_tidningar" (recorded only).
    channel: Mapped[str] = mapped_column(String(40), index=True)
    reference: Mapped[str] = mapped_column(String(40))
    property_designation: Mapped[str] = mapped_column(String(200))
    #: What was decided or is proposed, without personal data.
    title: Mapped[str] = mapped_column(String(300))
    #: How to appeal or respond, and by when.
    text: Mapped[str] = mapped_column(Text)
    posted_on: Mapped[date] = mapped_column(Date, index=True)
    #: The last day of the period; the notice is taken down after it.
    until: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime]
