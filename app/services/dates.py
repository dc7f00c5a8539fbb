"""Days typed by people and API callers: ISO dates within the years a case can concern.

A date far outside them (``0001-01-01``, ``9999-12-31``) is no mistake worth
storing, and one day more or a time zone applied to it overflows Python's
``date`` range (a 500 where the caller deserves to hear which field is wrong).
"""
from __future__ import annotations

from datetime import date

from .errors import InvalidInput, N_

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


def typed_day(raw: str, field: str) -> date:
    """``raw`` (``YYYY-MM-DD``) as a date from ``EARLIEST`` to ``LATEST``; otherwise a refusal naming ``field``."""
    try:
        day = date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput([{"field": field, "message": N_("must be a date (YYYY-MM-DD)")}]) from None
    if not EARLIEST <= day <= LATEST:
        raise InvalidInput([{"field": field, "message": N_("must be a date from 1900-01-01 to 2999-12-31")}])
    return day
