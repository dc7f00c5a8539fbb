"""Registering a case, ordering supplements, confirming completeness, extension."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .dates import REPLY_DATE_MAX_DAYS, end_of_local_day, local_morning, reply_day
from .registry import HandlerContext, HandlerInputError, Notification, handler


def _tz(ctx: HandlerContext) -> ZoneInfo:
    return ZoneInfo(ctx.settings.get("timezone", "Europe/Stockholm"))


def _local_day(ctx: HandlerContext, moment: datetime) -> date:
    return moment.astimezone(_tz(ctx)).date()


def _max_days(ctx: HandlerContext) -> int:
    return int(ctx.settings.get("reply_date_max_days", REPLY_DATE_MAX_DAYS))


@handler("register_case", letters=("acknowledgement",), returns={
    "reference": "string", "registered_at": "datetime", "arrived_on": "date",
    "supplement_window_reminder_at": "datetime"})
def register_case(ctx: HandlerContext) -> dict:
    """Give the case its reference (BYGG 2026-000042) and acknowledge the application."""
    today = _local_day(ctx, ctx.now)
    prefix = ctx.settings.get("reference_prefix", "BYGG")
    reference = ctx.reference  # registered on arrival already when this step comes later in the process
    if reference is None:
        reference = f"{prefix} {today.year}-{ctx.host.next_number(prefix, today.year):06d}"
        ctx.host.record_event("received", {"reference": reference})
    reminder_day = today + timedelta(weeks=3) - timedelta(days=int(ctx.settings.get("supplement_reminder_days", 4)))
    ctx.host.send_letter("acknowledgement", {})
    return {"reference": reference, "registered_at": ctx.now.isoformat(), "arrived_on": today.isoformat(),
            "supplement_window_reminder_at": local_morning(reminder_day, _tz(ctx)).isoformat()}


@handler("remind_supplement_window", returns={"sent": "boolean", "window_closes": "date?"})
def remind_supplement_window(ctx: HandlerContext) -> dict:
    """Remind coordinators that the 3-week window for a clock-stopping supplement order closes soon."""
    clock = ctx.host.statutory_clock()
    closes = clock.get("order_window_ends")
    if closes is None or ctx.host.has_event("supplement_ordered") or ctx.host.has_event("complete"):
        return {"sent": False}
    ctx.host.notify(Notification(
        kind="supplement_window_reminder", recipient="group:coordinator",
        subject=f"Påminnelse: {ctx.reference} – tre veckor från ankomst {closes}",
        body=(f"Ärende {ctx.reference} ({ctx.data.get('property_designation', '')}) är ännu inte granskat.\n"
              f"Ett föreläggande om komplettering som skickas senast {closes} gör att "
              f"handläggningstiden räknas från den dag bristerna är avhjälpta.\n")))
    return {"sent": True, "window_closes": closes}


@handler("order_supplement", letters=("supplement_order",), returns={
    "ordered_at": "datetime", "reply_by": "date", "stops_clock": "boolean", "reply_deadline": "datetime",
    "request": "string", "previous_reply_not_remedying": "date|null", "letter": "integer"})
def order_supplement(ctx: HandlerContext, request: str, reply_by: str) -> dict:
    """Order the applicant to supplement the application by a reply date (föreläggande)."""
    if not request or not str(request).strip():
        raise HandlerInputError("supplement_request", "say what the applicant must supplement")
    try:
        day = reply_day(reply_by, _local_day(ctx, ctx.now), _max_days(ctx))
    except ValueError as exc:
        raise HandlerInputError("reply_by", exc.args[0]) from None
    before = ctx.host.statutory_clock()
    not_remedied = before.get("reply_on") if before.get("awaiting_remedy") else None
    if not_remedied:
        ctx.host.record_event("reply_did_not_remedy", {"reply_on": not_remedied})
    ctx.host.record_event("supplement_ordered", {"reply_by": day.isoformat(), "request": request})
    stops_clock = ctx.host.statutory_clock().get("awaiting_remedy", False)
    letter = ctx.host.send_letter("supplement_order", {
        "request": str(request).strip(), "reply_by": day.isoformat(), "stops_clock": bool(stops_clock),
        "previous_reply_not_remedying": not_remedied})
    return {"ordered_at": ctx.now.isoformat(), "reply_by": day.isoformat(), "stops_clock": stops_clock,
            "reply_deadline": end_of_local_day(day, _tz(ctx)).isoformat(), "request": request,
            "previous_reply_not_remedying": not_remedied, "letter": letter["document_id"]}


def _extension_reminder_at(ctx: HandlerContext, due: date | None) -> str:
    """When the officer is asked to consider an extension (now, if no deadline is running)."""
    today = _local_day(ctx, ctx.now)
    if due is None:
        return local_morning(today, _tz(ctx)).isoformat()
    reminder_day = due - timedelta(days=int(ctx.settings.get("extension_reminder_days", 14)))
    return local_morning(max(reminder_day, today), _tz(ctx)).isoformat()


@handler("confirm_complete", letters=("receipt",), returns={
    "complete_at": "datetime", "statutory_start": "date|null", "start_basis": "string|null", "remedied_on": "date|null",
    "statutory_due": "date|null", "weeks": "integer", "as_it_stands": "boolean", "extension_reminder_at": "datetime"})
def confirm_complete(ctx: HandlerContext) -> dict:
    """Record that the application is complete and send the receipt with the deadline."""
    before = ctx.host.statutory_clock(ctx.data.get("case_type"))
    remedied_on = before.get("reply_on") if before.get("awaiting_remedy") else None
    ctx.host.record_event("complete", {"remedied_on": remedied_on} if remedied_on else {})
    clock = ctx.host.statutory_clock(ctx.data.get("case_type"))
    due = date.fromisoformat(clock["statutory_due"]) if clock.get("statutory_due") else None
    if due is not None:
        ctx.host.send_letter("receipt", {"deadline": due.isoformat(), "weeks": clock["statutory_weeks"],
                                         "clock_start": clock["statutory_start"],
                                         "start_basis": clock.get("start_basis")})
    return {"complete_at": ctx.now.isoformat(), "statutory_start": clock.get("statutory_start"),
            "start_basis": clock.get("start_basis"), "remedied_on": remedied_on,
            "statutory_due": due.isoformat() if due else None, "weeks": clock["statutory_weeks"],
            "as_it_stands": False, "extension_reminder_at": _extension_reminder_at(ctx, due)}


@handler("decide_as_it_stands", returns={
    "complete_at": "null", "as_it_stands": "boolean", "statutory_start": "date|null", "start_basis": "string|null",
    "remedied_on": "null", "statutory_due": "date|null", "weeks": "integer", "extension_reminder_at": "datetime"})
def decide_as_it_stands(ctx: HandlerContext) -> dict:
    """The supplement order was not answered: the case is decided on the material at hand."""
    ctx.host.record_event("decided_as_it_stands", {})
    clock = ctx.host.statutory_clock(ctx.data.get("case_type"))
    due = date.fromisoformat(clock["statutory_due"]) if clock.get("statutory_due") else None
    return {"complete_at": None, "as_it_stands": True, "statutory_start": clock.get("statutory_start"),
            "start_basis": clock.get("start_basis"), "remedied_on": None,
            "statutory_due": due.isoformat() if due else None, "weeks": clock["statutory_weeks"],
            "extension_reminder_at": _extension_reminder_at(ctx, due)}


@handler("check_extension_open", returns={"open": "boolean", "statutory_due": "date|null"})
def check_extension_open(ctx: HandlerContext) -> dict:
    """Whether an extension can still be considered: a running deadline, not yet extended or passed."""
    clock = ctx.host.statutory_clock(ctx.data.get("case_type"))
    running = clock.get("statutory_due") is not None and not clock.get("decided_on")
    is_open = running and not clock.get("extended") and (clock.get("days_left") or 0) >= 0
    return {"open": bool(is_open), "statutory_due": clock.get("statutory_due")}


@handler("extend_deadline", letters=("extension",), returns={
    "statutory_due": "date", "reason": "string", "weeks": "integer"})
def extend_deadline(ctx: HandlerContext, reason: str, weeks: int | None = None) -> dict:
    """Extend the statutory deadline once, by up to its own length, with a reason, before it passes."""
    previous = ctx.host.statutory_clock()
    clock = ctx.host.extend_deadline(reason or "", weeks)
    chosen = clock.get("extension_weeks")
    ctx.host.send_letter("extension", {"new_deadline": clock["statutory_due"],
                                       "previous_deadline": previous.get("statutory_due"), "weeks": chosen,
                                       "reason": str(reason).strip()})
    return {"statutory_due": clock["statutory_due"], "reason": reason, "weeks": chosen}


