"""Counts of refused sign-ins, shared by every server process (the sign-in throttle's storage)."""
from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ThrottleCounter(Base):
    """One limit's count for one account or address, until ``expires_at`` (seconds since the epoch)."""

    __tablename__ = "throttle_counter"

    key: Mapped[str] = mapped_column(String(500), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)
