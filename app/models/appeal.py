"""After a decision: the parties it is served on, and the appeals against it."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class DecisionParty(Base):
    """Someone the decision must be served on (delgivning, PBL 9 kap. 41 §): the applicant, or a party staff add.

    The appeal period cannot end before every party has been served: a decision
    e-mailed by the outbox is served when the e-mail was sent; a decision sent
    by post (or handed over) is served on the day staff record.
    """

    __tablename__ = "decision_party"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    #: The decision letter served on them (its e-mail, when the outbox sends it, serves it).
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(Text)
    is_applicant: Mapped[bool] = mapped_column(default=False)
    #: The day they were served; None while not (yet) served.
    served_on: Mapped[date | None] = mapped_column(Date)
    #: How: "email" (sent by the outbox), "post", "delivery_receipt", "simplified", "in_person".
    method: Mapped[str | None] = mapped_column(String(30))
    recorded_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime]


class Appeal(Base):
    """An appeal received against the decision, checked for time by the authority (förvaltningslagen 45 §).

    A late appeal is dismissed by the authority (a letter to the appellant); a
    timely one is sent on to the appeal body and the decision gains no legal
    force until the appeal decision is recorded.
    """

    __tablename__ = "appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    appellant: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(5), default="sv")
    #: The party the appellant is, when the decision was served on them (their time runs from that day).
    party_id: Mapped[int | None] = mapped_column(ForeignKey("decision_party.id"))
    received_on: Mapped[date] = mapped_column(Date)
    #: The last day the appellant could appeal on (None: their time had not started).
    last_day: Mapped[date | None] = mapped_column(Date)
    #: What the time was counted from: "service", "publication", "last_service" or "not_started".
    counted_from: Mapped[str] = mapped_column(String(20))
    timely: Mapped[bool]
    #: "dismissed" (late), "forwarded" (sent on, waiting for the appeal decision), "decided".
    status: Mapped[str] = mapped_column(String(20))
    #: The letter: the dismissal to the appellant, or the letter sending the appeal on.
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    #: The appeal body's decision: "stands" (the decision stands), "quashed", "remitted".
    outcome: Mapped[str | None] = mapped_column(String(20))
    decided_on: Mapped[date | None] = mapped_column(Date)
    #: With "stands": the day the appeal ruling gained legal force, and with it the decision.
    legal_force_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
