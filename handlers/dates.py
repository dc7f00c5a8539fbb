"""Calendar arithmetic that never fails on 29 February, daylight-saving nights or year ends."""
from __future__ import annotations

import calendar
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

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
