"""Working time: office hours on working days (Swedish public holidays off), or committee meeting days."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

HOUR = timedelta(hours=1)


@lru_cache(maxsize=8)
def _holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year))


def _eves(year: int) -> frozenset[date]:
    """Midsommarafton, julafton and nyårsafton: not public holidays, but the offices are closed."""
    midsummer_eve = next(date(year, 6, d) for d in range(19, 26) if date(year, 6, d).weekday() == 4)
    return frozenset({midsummer_eve, date(year, 12, 24), date(year, 12, 31)})


@dataclass(frozen=True)
class WorkCalendar:
    """When a group works: ``opens``–``closes`` local time on its working days.

    ``meeting`` = (week of the month 1–4, weekday 0–6) turns the calendar into a
    committee's: it works only on that day of every month except July.
    """

    zone: ZoneInfo
    opens: time = time(8, 0)
    closes: time = time(16, 0)
    country: str = "SE"
    meeting: tuple[int, int] | None = None
    _cache: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def hours_per_day(self) -> float:
        return (datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)) / HOUR

    def is_working_day(self, day: date) -> bool:
        known = self._cache.get(day)
        if known is None:
            known = self._cache[day] = self._working(day)
        return known

    def _working(self, day: date) -> bool:
        if day in _holidays(self.country, day.year) or day in _eves(day.year):
            return False
        if self.meeting is not None:
            week, weekday = self.meeting
            return day.month != 7 and day.weekday() == weekday and (day.day - 1) // 7 + 1 == week
        return day.weekday() < 5

    def _bounds(self, day: date) -> tuple[datetime, datetime]:
        return (datetime.combine(day, self.opens, tzinfo=self.zone),
                datetime.combine(day, self.closes, tzinfo=self.zone))

    def next_open(self, moment: datetime) -> datetime:
        """The first working moment at or after ``moment``."""
        local = moment.astimezone(self.zone)
        day = local.date()
        for _ in range(800):
            if self.is_working_day(day):
                start, end = self._bounds(day)
                if local < end:
                    return max(local, start)
            day += timedelta(days=1)
            local = datetime.combine(day, time(0), tzinfo=self.zone)
        raise ValueError("no working time within 800 days")

    def add_work(self, moment: datetime, hours: float) -> datetime:
        """The moment ``hours`` of working time after ``moment`` have passed."""
        current = self.next_open(moment)
        left = timedelta(hours=max(0.0, hours))
        while True:
            _, end = self._bounds(current.date())
            if current + left <= end:
                return current + left
            left -= end - current
            current = self.next_open(end + timedelta(seconds=1))

    def work_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours from ``start`` to ``end`` (0 if ``end`` is not later)."""
        if end <= start:
            return 0.0
        total = timedelta(0)
        current = start.astimezone(self.zone)
        end = end.astimezone(self.zone)
        day = current.date()
        while day <= end.date():
            if self.is_working_day(day):
                opens, closes = self._bounds(day)
                lo, hi = max(opens, current), min(closes, end)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total / HOUR
