"""Work groups: where tasks are routed (coordinator, officer, miljö, Bygglov Norr …)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

#: Which users work in which groups (many to many).
group_membership = Table(
    "group_membership", Base.metadata,
    Column("group_id", ForeignKey("work_group.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Group(Base):
    """A group of staff that works tasks; rows, so the administrator can reorganise."""

    __tablename__ = "work_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable name: lanes and candidate groups name it, tasks keep it (unique, case-insensitively).
    name: Mapped[str] = mapped_column(String(40), unique=True)
    title_sv: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    #: A department that answers referrals (remiss); offered at triage.
    referral_department: Mapped[bool] = mapped_column(Boolean, default=False)
    #: A retired group gets no new work; its members keep what they have.
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    @property
    def retired(self) -> bool:
        return self.retired_at is not None

    def title(self, locale: str | None) -> str:
        return self.title_sv if (locale or "").startswith("sv") else self.title_en
