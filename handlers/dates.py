"""Calendar arithmetic that never fails on 29 February, daylight-saving nights or year ends."""
from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from .i18n import N_

UTC = ZoneInfo("UTC")


def add_years(day: date, years: int) -> date:
    """``day`` plus whole years; 29 February becomes 28 February in a common year.

    This is how Swedish law counts a period of years (lag 1930:173 om
    beräkning av lagstadgad tid: the period ends on the same date, or on the
    last day of the month when that date does not exist).
    """
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def end_of_local_day(day: date, tz: ZoneInfo) -> datetime:
    """The last second of ``day`` in ``tz`` as UTC (correct across daylight-saving changes)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz).astimezone(UTC)


def local_morning(day: date, tz: ZoneInfo) -> datetime:
    """08:00 on ``day`` in ``tz`` as UTC: reminders arrive at the start of a working day."""
    return datetime.combine(day, time(8, 0), tzinfo=tz).astimezone(UTC)


#: Eves that count as holidays for a period's last day (lag 1930:173, 2 §).
_EVES = ((12, 24), (12, 31))  # julafton, nyårsafton; midsommarafton is found from midsommardagen


@lru_cache(maxsize=64)
def _closed_days(year: int) -> frozenset[date]:
    """Public holidays and the eves that count as holidays in ``year`` (computed once per year)."""
    public = holidays.Sweden(years=year, include_sundays=False)
    days = set(public)
    days |= {d - timedelta(days=1) for d, name in public.items() if name == "Midsummer Day"}
    days |= {date(year, month, day) for month, day in _EVES}
    return frozenset(days)


def last_filing_day(day: date) -> date:
    """The day a period ending on ``day`` really ends: the next working day if ``day`` is not one.

    Lag (1930:173) om beräkning av lagstadgad tid, 2 §: when the last day of a
    period falls on a Saturday, Sunday or other public holiday, midsommarafton,
    julafton or nyårsafton, the act may still be done on the next working day.
    """
    while day.weekday() >= 5 or day in _closed_days(day.year):
        day += timedelta(days=1)
    return day


#: [U] How far ahead a reply date set by staff may lie (a supplement order, a neighbour hearing): DOMAIN.md
#: leaves the date to the authority, so this bound is a setting (``reply_date_max_days``).
REPLY_DATE_MAX_DAYS = 365


def reply_day(raw, today: date, max_days: int = REPLY_DATE_MAX_DAYS) -> date:
    """The reply date ``raw`` (YYYY-MM-DD): after ``today`` and at most ``max_days`` later.

    Raises ``ValueError`` with a translatable message (``handlers.i18n.Message``) naming what is wrong.
    """
    try:
        day = date.fromisoformat(str(raw))
    except ValueError:
        raise ValueError(N_("must be a date (YYYY-MM-DD)")) from None
    if day <= today:
        raise ValueError(N_("must be after today (%(today)s)", today=today.isoformat()))
    latest = today + timedelta(days=max_days)
    if day > latest:
        raise ValueError(N_("must be at most %(days)s days ahead (by %(latest)s)", days=max_days,
                            latest=latest.isoformat()))
    return day
