"""The clocks as a fold over a case's events: fed one event at a time, saved between transactions.

``clocks.compute`` is this fold over all of a case's events. A save stores the
fold on the case (``case.clock_state``) with the last event it took in, so the
next action feeds only the events recorded since, instead of reading and
replaying the case's whole history. Both give the same answer: a fold is only
continued when every new event comes after what it has seen (the events are
ordered by time), for the same time zone and statutory time; otherwise it is
built again from all events.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from collections.abc import Mapping

from .clock_rules import Basis, Clocks, _Statutory, fee_reduction_fifths

#: The format of ``case.clock_state``; another number is rebuilt from the events.
FORMAT = 1
SUPPLEMENT_WINDOW = timedelta(weeks=3)
MATERIAL = ("supplement_received", "own_initiative_supplement")
_STATUTORY_DATES = ("start", "window_from", "reply_on")


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass
class Fold:
    tz: Any  # a ZoneInfo
    weeks: int
    last_at: datetime | None = None
    last_id: int = 0
    arrived: date | None = None
    #: Events before the arrival (replayed once it is known), as (kind, day, data).
    before_arrival: list = field(default_factory=list)
    statutory: Any = None  # clock_rules._Statutory once the case has arrived
    extension_reason: str | None = None
    extended: bool = False
    decided: date | None = None
    waiting_total: int = 0
    waiting_since: date | None = None
    orders: int = 0
    material: date | None = None
    complete_at: datetime | None = None
    remedied_on: date | None = None
    complete_material: date | None = None

    # -- feeding -----------------------------------------------------------
    def feed(self, event_id: int, kind: str, at: datetime, data: Mapping) -> None:
        """Take in the next event (in time order)."""
        day = at.astimezone(self.tz).date()
        self.last_at, self.last_id = at, max(self.last_id, event_id)
        self._statutory(kind, day, data)
        if kind == "extended" and not self.extended:
            self.extended, self.extension_reason = True, (data or {}).get("reason")
        if kind == "decided" and self.decided is None:
            self.decided = day
        self._waiting(kind, day)
        if kind == "supplement_ordered":
            self.orders += 1
        self._complete(kind, at, day, data)

    def _statutory(self, kind: str, day: date, data: Mapping) -> None:
        if self.statutory is not None:
            self.statutory.apply(kind, day, data)
            return
        if kind != "received":
            self.before_arrival.append((kind, day, dict(data or {})))
            return
        self.arrived = day
        self.statutory = _Statutory(weeks=self.weeks, start=day, basis=Basis.ARRIVAL, window_from=day)
        for earlier_kind, earlier_day, earlier_data in self.before_arrival:
            self.statutory.apply(earlier_kind, earlier_day, earlier_data)
        self.before_arrival = []
        self.statutory.apply(kind, day, data)

    def _waiting(self, kind: str, day: date) -> None:
        if kind == "supplement_ordered" and self.waiting_since is None:
            self.waiting_since = day
        elif kind in ("supplement_received", "decided", "decided_as_it_stands") and self.waiting_since is not None:
            self.waiting_total += (day - self.waiting_since).days
            self.waiting_since = None

    def _complete(self, kind: str, at: datetime, day: date, data: Mapping) -> None:
        if kind == "complete" and self.complete_at is None:
            self.complete_at, self.remedied_on = at, _d((data or {}).get("remedied_on"))
            self.complete_material = self.material
        if kind in MATERIAL:
            if self.complete_at is None:
                self.material = max(self.material, day) if self.material else day
            elif at <= self.complete_at:  # recorded at the same instant as the completeness
                self.complete_material = max(self.complete_material, day) if self.complete_material else day

    # -- reading -----------------------------------------------------------
    def result(self, *, measure: str | None, today: date, service_goals: Mapping[str, int],
               default_goal_days: int):
        """The clocks as of ``today``."""
        clock = self.statutory or _Statutory(weeks=self.weeks, start=None, basis=None, window_from=None)
        arrived, decided = self.arrived, self.decided
        waiting = self.waiting_total + ((today - self.waiting_since).days if self.waiting_since else 0)
        goal = int(service_goals.get(measure or "", default_goal_days))
        due = clock.due
        window_ends = clock.window_from + SUPPLEMENT_WINDOW if clock.window_from and not clock.awaiting_remedy else None
        return Clocks(
            arrived_on=arrived, statutory_weeks=self.weeks, statutory_start=clock.start, start_basis=clock.basis,
            statutory_due=due, awaiting_remedy=clock.awaiting_remedy, reply_on=clock.reply_on,
            order_window_ends=window_ends if window_ends and window_ends >= today else None,
            as_it_stands=clock.as_it_stands,
            extended=self.extended, extension_weeks=clock.extension_weeks or None,
            extension_reason=self.extension_reason if self.extended else None,
            days_left=(due - today).days if due is not None and decided is None else None,
            service_goal_days=goal,
            service_goal_due=arrived + timedelta(days=goal + waiting) if arrived else None,
            waiting_days=waiting,
            lead_time_days=((decided or today) - arrived).days if arrived else None,
            decided_on=decided,
            fee_reduction_fifths=fee_reduction_fifths(decided, due) if decided and due else None,
            supplement_orders=self.orders,
            complete_on=self._complete_on(),
        )

    def _complete_on(self) -> date | None:
        if self.complete_at is None or self.arrived is None:
            return None
        return self.remedied_on or self.complete_material or self.arrived

    # -- storing -----------------------------------------------------------
    def dump(self) -> dict:
        st = self.statutory
        return {
            "format": FORMAT, "tz": self.tz.key, "weeks": self.weeks,
            "last_at": self.last_at.isoformat() if self.last_at else None, "last_id": self.last_id,
            "arrived": _iso(self.arrived),
            "before_arrival": [[k, d.isoformat(), data] for k, d, data in self.before_arrival],
            "statutory": None if st is None else {
                "start": _iso(st.start), "basis": st.basis, "window_from": _iso(st.window_from),
                "awaiting_remedy": st.awaiting_remedy, "reply_on": _iso(st.reply_on),
                "as_it_stands": st.as_it_stands, "extension_weeks": st.extension_weeks},
            "extended": self.extended, "extension_reason": self.extension_reason, "decided": _iso(self.decided),
            "waiting": [self.waiting_total, _iso(self.waiting_since)], "orders": self.orders,
            "material": _iso(self.material),
            "complete_at": self.complete_at.isoformat() if self.complete_at else None,
            "remedied_on": _iso(self.remedied_on), "complete_material": _iso(self.complete_material)}

    @classmethod
    def load(cls, saved: Mapping | None, *, tz, weeks: int) -> Fold | None:
        """The saved fold, or None when there is none or it was made for another time zone or statutory time."""
        if not saved or saved.get("format") != FORMAT or saved.get("tz") != tz.key or saved.get("weeks") != weeks:
            return None
        st = saved["statutory"]
        statutory = None if st is None else _Statutory(
            weeks=weeks, **{k: (_d(v) if k in _STATUTORY_DATES else v) for k, v in st.items()})
        return cls(
            tz=tz, weeks=weeks, last_at=datetime.fromisoformat(saved["last_at"]) if saved["last_at"] else None,
            last_id=saved["last_id"], arrived=_d(saved["arrived"]),
            before_arrival=[(k, date.fromisoformat(d), data) for k, d, data in saved["before_arrival"]],
            statutory=statutory, extended=saved["extended"], extension_reason=saved["extension_reason"],
            decided=_d(saved["decided"]), waiting_total=saved["waiting"][0], waiting_since=_d(saved["waiting"][1]),
            orders=saved["orders"], material=_d(saved["material"]),
            complete_at=datetime.fromisoformat(saved["complete_at"]) if saved["complete_at"] else None,
            remedied_on=_d(saved["remedied_on"]), complete_material=_d(saved["complete_material"]))
