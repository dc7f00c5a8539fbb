"""The parties heard about a case (sakägare) and what each answered."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class HearingParty(Base):
    """A party the officer notifies in the neighbour hearing, with the response recorded for them."""

    __tablename__ = "hearing_party"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Postal address (the letter is printed and posted) and/or e-mail (the letter is mailed).
    address: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    added_by: Mapped[str] = mapped_column(String(80))
    added_at: Mapped[datetime]
    notified_at: Mapped[datetime | None]
    #: The underrättelse sent to this party (a letter document of the case).
    letter_document_id: Mapped[int | None]
    #: ``no_objection`` or ``objection`` once the party has answered.
    response: Mapped[str | None] = mapped_column(String(20))
    response_text: Mapped[str | None] = mapped_column(Text)
    responded_on: Mapped[date | None]
    recorded_by: Mapped[str | None] = mapped_column(String(80))
