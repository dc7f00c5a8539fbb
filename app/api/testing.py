"""Test-only routes; registered only when LOTSEN_TESTING=1."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import Blueprint, jsonify

from app.clock import clock
from app.scheduler import run_due_timers, run_survey
from app.services.errors import InvalidInput
from app.uow import runtime

from .common import api_user, json_body

bp = Blueprint("testing", __name__)
_DURATION = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def parse_duration(text: str) -> timedelta:
    """ISO 8601 durations of weeks, days, hours, minutes, seconds (P21D, PT36H, P1W2D)."""
    match = _DURATION.match(text or "")
    if not match or text in ("P", "PT"):
        raise InvalidInput([{"field": "advance", "message": f"{text!r} is not an ISO 8601 duration like P21D or PT6H"}])
    weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)


@bp.post("/api/testing/clock")
@api_user
def move_clock():
    """Move the clock ({"advance": "P21D"} or {"now": ISO}) and fire the timers that became due."""
    body = json_body(allowed=("advance", "now"))
    if ("advance" in body) == ("now" in body):
        raise InvalidInput([{"field": "(body)", "message": "give exactly one of 'advance' or 'now'"}])
    if "advance" in body:
        clock.advance(parse_duration(str(body["advance"])))
    else:
        try:
            when = datetime.fromisoformat(str(body["now"]))
        except ValueError:
            when = None
        if when is None or when.tzinfo is None:
            raise InvalidInput([{"field": "now", "message": "must be an ISO 8601 time with a UTC offset"}])
        clock.set(when)
    fired = run_due_timers(runtime())
    invited, reminded = run_survey(runtime())
    return jsonify({"now": clock.now().isoformat(), "fired": fired, "survey_invited": invited,
                    "survey_reminded": reminded})
