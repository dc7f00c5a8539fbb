"""Everything the dashboard page shows, in one call."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from . import backlog, summary, trends, workload
from .filters import Filters


def dashboard(session: Session, filters: Filters, *, now: datetime, tz: ZoneInfo, locale: str | None) -> dict:
    today = now.astimezone(tz).date()
    return {"summary": summary.summary(session, filters), "backlog": backlog.backlog(session, filters, today),
            "trends": trends.trends(session, filters), "groups": workload.workload(session, filters, now, tz, locale)}
