"""What a figure is asked for: a period, a process, a case type, a track."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.models import CaseFigures, FiguresDay, ProcessVersion
from handlers.dates import add_years

from ..clocks import local_today
from ..errors import InvalidInput, N_

#: The longest period one question may cover (the trend charts cover 24 months).
MAX_DAYS = 366 * 10


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    process: str | None = None
    case_type: str | None = None
    track: str | None = None

    def to_dict(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "process": self.process,
                "case_type": self.case_type, "track": self.track}

    def cases(self, *extra):
        """Conditions on ``CaseFigures`` for the process, case type and track (not the period)."""
        conditions = [c for c in (
            CaseFigures.process == self.process if self.process else None,
            CaseFigures.case_type == self.case_type if self.case_type else None,
            CaseFigures.track == self.track if self.track else None) if c is not None]
        return and_(True, *conditions, *extra)

    def decided_in_period(self):
        return self.cases(CaseFigures.decided_on.between(self.start, self.end))

    def received_in_period(self):
        return self.cases(CaseFigures.arrived_on.between(self.start, self.end))


def _date(args: Mapping, name: str, default: date) -> date:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput([{"field": name, "message": N_("must be a date like 2026-01-31")}]) from None


def parse(session: Session, args: Mapping) -> Filters:
    """Filters from query arguments (``from``, ``to``, ``process``, ``case_type``, ``track``).

    Without a period: the twelve months up to today. Unknown processes and
    reversed periods are refused naming the field.
    """
    end = _date(args, "to", local_today(session))
    start = _date(args, "from", add_years(end, -1) + timedelta(days=1))
    if start > end:
        raise InvalidInput([{"field": "from", "message": N_("must not be after 'to'")}])
    if (end - start).days > MAX_DAYS:
        raise InvalidInput([{"field": "from", "message": N_("the period may cover at most ten years")}])
    process = (args.get("process") or "").strip() or None
    if process and process not in known_processes(session):
        raise InvalidInput([{"field": "process", "message": N_("no process with this name is deployed")}])
    return Filters(start=start, end=end, process=process,
                   case_type=(args.get("case_type") or "").strip() or None,
                   track=(args.get("track") or "").strip() or None)


def known_processes(session: Session) -> list[str]:
    return list(session.scalars(select(ProcessVersion.model).distinct().order_by(ProcessVersion.model)))


def choices(session: Session) -> dict:
    """What the filters offer: processes, case types and tracks that occur (read from the day totals, a few
    rows per day, not from every case)."""
    def distinct(column):
        return [v for v in session.scalars(select(column).distinct().order_by(column)) if v]

    return {"processes": known_processes(session), "case_types": distinct(FiguresDay.case_type),
            "tracks": distinct(FiguresDay.track)}
