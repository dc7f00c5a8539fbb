"""Saved what-if simulations: the request, its progress while it runs, its result once done."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class SimulationRun(Base):
    """A what-if simulation: its scenarios, its progress while it runs, its results once done."""

    __tablename__ = "simulation_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(120), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    #: The request: scenarios (version or draft, staff), cases, runs, seed, arrivals, mix, durations.
    params: Mapped[dict] = mapped_column(JSON)
    #: queued, running, done, failed.
    status: Mapped[str] = mapped_column(String(20), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
