"""The statutory clock's rules and the clocks' figures, with no database: what ``clocks`` and its
incremental fold (``clock_fold``) both replay (see ``clocks`` for the law they follow)."""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

SUPPLEMENT_WINDOW = timedelta(weeks=3)


class Basis:
    """Why the statutory clock runs from its start day."""

    ARRIVAL = "arrival"
    OWN_INITIATIVE = "own_initiative_supplement"
    REMEDY = "remedy"


@dataclass(frozen=True)
class Event:
    kind: str
    at: datetime
    data: Mapping


@dataclass
class Clocks:
    arrived_on: date | None
    statutory_weeks: int
    statutory_start: date | None
    #: Basis.* — why the clock runs from ``statutory_start``.
    start_basis: str | None
    statutory_due: date | None
    #: A supplement order within the window waits for the gaps to be remedied.
    awaiting_remedy: bool
    #: The day of the latest reply to that order (remedies the gaps once the coordinator finds it complete).
    reply_on: date | None
    #: The last day a supplement order still stops the clock (None once it no longer can).
    order_window_ends: date | None
    #: Decided on the material at hand after an unanswered order: the clock never started.
    as_it_stands: bool
    extended: bool
    extension_weeks: int | None
    extension_reason: str | None
    days_left: int | None
    service_goal_days: int
    service_goal_due: date | None
    waiting_days: int
    lead_time_days: int | None
    decided_on: date | None
    fee_reduction_fifths: int | None
    #: How many supplement orders (förelägganden) the case has had.
    supplement_orders: int = 0
    #: The day the application became complete (arrival, a remedying reply or own-initiative material);
    #: None until the coordinator found it complete.
    complete_on: date | None = None

    def to_dict(self) -> dict:
        # Every field is a plain value: no deep copy (dataclasses.asdict) on each read of the clock.
        values = ((f.name, getattr(self, f.name)) for f in fields(self))
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values}


def statutory_weeks(case_type: str | None) -> int:
    """The statutory time of a case type: anmälan 4 weeks, lov and förhandsbesked 10."""
    return 4 if case_type == "anmalan" else 10


def fee_reduction_fifths(decided_on: date, due: date) -> int:
    """PBL 12 kap. 8 a §: one fifth per started week past the deadline, at most five."""
    weeks = max(0, math.ceil((decided_on - due).days / 7))
    return min(5, weeks)


@dataclass
class _Statutory:
    """The statutory clock while the events are replayed in order."""

    weeks: int
    start: date | None
    basis: str | None
    window_from: date | None
    awaiting_remedy: bool = False
    reply_on: date | None = None
    as_it_stands: bool = False
    extension_weeks: int = 0

    @property
    def due(self) -> date | None:
        return self.start + timedelta(weeks=self.weeks + self.extension_weeks) if self.start else None

    def restart(self, day: date, basis: str) -> None:
        self.start, self.basis, self.window_from = day, basis, day
        self.awaiting_remedy, self.reply_on, self.as_it_stands = False, None, False

    def apply(self, kind: str, day: date, data: Mapping) -> None:
        if self.due is not None and day > self.due:
            return  # nothing after the deadline resets the clock
        handler = getattr(self, f"_on_{kind}", None)
        if handler is not None:
            handler(day, data)

    def _on_own_initiative_supplement(self, day: date, data: Mapping) -> None:
        if self.awaiting_remedy:
            self.reply_on = day  # material sent while an order is outstanding answers that order
        else:
            self.restart(day, Basis.OWN_INITIATIVE)

    def _on_supplement_ordered(self, day: date, data: Mapping) -> None:
        if self.awaiting_remedy:
            self.reply_on = None  # a further order: the clock stays stopped, the window does not reopen
        elif self.window_from is not None and day - self.window_from <= SUPPLEMENT_WINDOW:
            self.awaiting_remedy, self.start, self.basis, self.reply_on = True, None, None, None

    def _on_supplement_received(self, day: date, data: Mapping) -> None:
        if self.awaiting_remedy:
            self.reply_on = day

    def _on_complete(self, day: date, data: Mapping) -> None:
        if self.awaiting_remedy:
            remedied = data.get("remedied_on")
            self.start = date.fromisoformat(remedied) if remedied else (self.reply_on or day)
            self.basis, self.awaiting_remedy, self.window_from = Basis.REMEDY, False, None

    def _on_decided_as_it_stands(self, day: date, data: Mapping) -> None:
        if self.awaiting_remedy:
            self.as_it_stands, self.awaiting_remedy, self.window_from = True, False, None

    def _on_extended(self, day: date, data: Mapping) -> None:
        self.extension_weeks = int(data.get("weeks") or self.weeks)
