"""After the decision: waiting out the appeal period, and legal force from the day it ended."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .dates import UTC, add_years, local_morning
from .registry import HandlerContext, HandlerError, Notification, handler

#: Who is reminded of a party not yet served: whoever decided on the track.
REMINDED = {"simple": "coordinator", "standard": "officer", "committee": "officer"}


def _tz(ctx: HandlerContext) -> ZoneInfo:
    return ZoneInfo(ctx.settings.get("timezone", "Europe/Stockholm"))


def _today(ctx: HandlerContext) -> date:
    return ctx.now.astimezone(_tz(ctx)).date()


@handler("check_appeal_period", letters=("appeal_dismissal", "appeal_forwarded"), returns={
    "state": ["awaiting_service", "running", "appealed", "legal_force", "overturned", "not_appealable"],
    "appeal_last_day": "date|null", "legal_force_on": "date|null", "published_on": "date|null", "unserved": "list",
    "reminded_on": "date|null", "wake_at": "datetime"})
def check_appeal_period(ctx: HandlerContext) -> dict:
    """Where the appeal period stands: awaiting service, running, appealed, legal force or overturned.

    ``wake_at`` is when to look again without news: the moment the period is
    over (00:00 on the day of legal force), or, while a party is not served,
    the next reminder to staff.
    """
    period = ctx.host.appeal_period(ctx.data.get("decision") or {})
    previous = ctx.data.get("appeal_check") or {}
    result = {"state": period["state"], "appeal_last_day": period["appeal_last_day"],
              "legal_force_on": period["legal_force_on"], "published_on": period["published_on"],
              "unserved": [p["name"] for p in period["parties"] if not p["served_on"]],
              "reminded_on": previous.get("reminded_on"), "wake_at": None}
    if period["state"] == "running":
        day = date.fromisoformat(period["legal_force_on"])
        result["wake_at"] = datetime.combine(day, time(0, 0), tzinfo=_tz(ctx)).astimezone(UTC).isoformat()
    elif period["state"] == "awaiting_service":
        result["wake_at"], result["reminded_on"] = _service_reminder(ctx, period, result)
    if result["wake_at"] and datetime.fromisoformat(result["wake_at"]) <= ctx.now:
        # a timer in the past fires at once and asks again: an incident, never a loop
        raise HandlerError(f"the appeal period is still {period['state']} but its next check "
                           f"({result['wake_at']}) is not after now ({ctx.now.isoformat()})")
    return result


def _service_reminder(ctx: HandlerContext, period: dict, result: dict) -> tuple[str, str | None]:
    """Remind staff of parties not served once the reminder interval has passed; when to remind next."""
    every = timedelta(days=int(ctx.settings.get("service_reminder_days", 14)))
    today = _today(ctx)
    reminded_on = result["reminded_on"]
    due = date.fromisoformat(reminded_on or period["decided_on"] or today.isoformat()) + every
    if today >= due:
        group = REMINDED.get(ctx.data.get("track"), "officer")
        names = ", ".join(result["unserved"]) or "–"
        ctx.host.notify(Notification(
            kind="service_reminder", recipient=f"group:{group}",
            subject=f"Påminnelse: beslutet i {ctx.reference} är inte delgivet",
            body=(f"Beslutet i ärende {ctx.reference} ({ctx.data.get('property_designation', '')}) har ännu inte "
                  f"delgetts: {names}.\nBeslutet kan inte vinna laga kraft förrän alla parter är delgivna. "
                  f"Registrera delgivningen på ärendesidan.\n")))
        reminded_on, due = today.isoformat(), today + every
    return local_morning(due, _tz(ctx)).isoformat(), reminded_on


def _legal_force_day(ctx: HandlerContext) -> date:
    """The day the period ended on, whenever this step happens to run (a scheduler that was down changes nothing)."""
    check = ctx.data.get("appeal_check") or {}
    if check.get("legal_force_on"):
        return date.fromisoformat(check["legal_force_on"])
    until = (ctx.data.get("decision") or {}).get("appeal_until")  # versions with a fixed four-week window
    if until:
        return datetime.fromisoformat(until).astimezone(_tz(ctx)).date() + timedelta(days=1)
    return _today(ctx)


@handler("record_legal_force", returns={
    "at": "datetime", "date": "date|null", "overturned": "boolean", "binding_until": "date?", "start_by": "date?",
    "finish_by": "date?"})
def record_legal_force(ctx: HandlerContext) -> dict:
    """The appeal period is over: legal force from the day after it ended (validity runs from then), or overturned."""
    if (ctx.data.get("appeal_check") or {}).get("state") == "overturned":
        ctx.host.record_event("overturned_on_appeal", {})
        return {"at": ctx.now.isoformat(), "date": None, "overturned": True}
    day = _legal_force_day(ctx)
    ctx.host.record_event("legal_force", {"on": day.isoformat()})
    result = {"at": ctx.now.isoformat(), "date": day.isoformat(), "overturned": False}
    outcome = (ctx.data.get("decision") or {}).get("outcome")
    if outcome == "granted" and ctx.data.get("case_type") == "forhandsbesked":
        result["binding_until"] = add_years(day, 2).isoformat()  # PBL 9 kap. 39 §: binds for two years
    elif outcome == "granted" and ctx.data.get("case_type") == "anmalan":
        decided = datetime.fromisoformat(ctx.data["decision"]["decided_at"]).astimezone(_tz(ctx)).date()
        result["start_by"] = add_years(decided, 2).isoformat()  # PBL 10 kap. 25 §: two years from the startbesked
    elif outcome == "granted":
        result["start_by"] = add_years(day, 2).isoformat()  # PBL 9 kap. 43 §
        result["finish_by"] = add_years(day, 5).isoformat()
    return result
