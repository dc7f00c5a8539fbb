"""Registering a case, ordering supplements, confirming completeness, reminders."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .registry import HandlerContext, HandlerInputError, Notification, handler

UTC = ZoneInfo("UTC")


def _tz(ctx: HandlerContext) -> ZoneInfo:
    return ZoneInfo(ctx.settings.get("timezone", "Europe/Stockholm"))


def _local_day(ctx: HandlerContext, moment: datetime) -> date:
    return moment.astimezone(_tz(ctx)).date()


def end_of_local_day(day: date, tz: ZoneInfo) -> datetime:
    """The last second of ``day`` in ``tz`` as UTC (correct across daylight-saving changes)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz).astimezone(UTC)


def local_morning(day: date, tz: ZoneInfo) -> datetime:
    """08:00 on ``day`` in ``tz`` as UTC: reminders arrive at the start of a working day."""
    return datetime.combine(day, time(8, 0), tzinfo=tz).astimezone(UTC)


@handler("register_case")
def register_case(ctx: HandlerContext) -> dict:
    """Give the case its reference (BYGG 2026-000042) and acknowledge the application."""
    today = _local_day(ctx, ctx.now)
    prefix = ctx.settings.get("reference_prefix", "BYGG")
    reference = f"{prefix} {today.year}-{ctx.host.next_number(prefix, today.year):06d}"
    ctx.host.record_event("received", {"reference": reference})
    reminder_day = today + timedelta(weeks=3) - timedelta(days=int(ctx.settings.get("supplement_reminder_days", 4)))
    email = ctx.data.get("applicant_email")
    if email:
        ctx.host.notify(Notification(
            kind="application_received", recipient=email,
            subject=f"Vi har tagit emot din ansökan ({reference})",
            body=(f"Hej {ctx.data.get('applicant_name', '')},\n\n"
                  f"Vi har tagit emot din ansökan om {ctx.data.get('measure', '')} på "
                  f"{ctx.data.get('property_designation', '')}. Ärendet har diarienummer {reference}.\n"
                  f"Du får ett mottagningsbevis när ansökan är komplett.\n")))
    return {"reference": reference, "registered_at": ctx.now.isoformat(),
            "supplement_window_reminder_at": local_morning(reminder_day, _tz(ctx)).isoformat()}


@handler("remind_supplement_window")
def remind_supplement_window(ctx: HandlerContext) -> dict:
    """Remind coordinators that the 3-week window for a clock-resetting supplement order closes soon."""
    if ctx.host.has_event("supplement_ordered") or ctx.host.has_event("complete"):
        return {"sent": False}
    registered = datetime.fromisoformat(ctx.data.get("registration", {}).get("registered_at", ctx.now.isoformat()))
    closes = _local_day(ctx, registered) + timedelta(weeks=3)
    ctx.host.notify(Notification(
        kind="supplement_window_reminder", recipient="group:coordinator",
        subject=f"Påminnelse: {ctx.reference} – tre veckor från ankomst {closes.isoformat()}",
        body=(f"Ärende {ctx.reference} ({ctx.data.get('property_designation', '')}) är ännu inte granskat.\n"
              f"Ett föreläggande om komplettering som skickas senast {closes.isoformat()} gör att "
              f"handläggningstiden räknas från kompletteringen.\n")))
    return {"sent": True, "window_closes": closes.isoformat()}


@handler("order_supplement")
def order_supplement(ctx: HandlerContext, request: str, reply_by: str) -> dict:
    """Order the applicant to supplement the application by a reply date."""
    if not request or not str(request).strip():
        raise HandlerInputError("supplement_request", "say what the applicant must supplement")
    try:
        day = date.fromisoformat(str(reply_by))
    except ValueError:
        raise HandlerInputError("reply_by", "must be a date (YYYY-MM-DD)") from None
    today = _local_day(ctx, ctx.now)
    if day <= today:
        raise HandlerInputError("reply_by", f"must be after today ({today.isoformat()})")
    ctx.host.record_event("supplement_ordered", {"reply_by": day.isoformat()})
    email = ctx.data.get("applicant_email")
    reference = ctx.reference or ""
    if email:
        ctx.host.notify(Notification(
            kind="supplement_order", recipient=email,
            subject=f"Föreläggande om komplettering ({reference})",
            body=(f"Din ansökan {reference} behöver kompletteras:\n\n{request}\n\n"
                  f"Svara senast {day.isoformat()} via e-tjänsten. Om kompletteringen inte kommer in "
                  f"kan ansökan avvisas eller prövas i befintligt skick.\n")))
    return {"ordered_at": ctx.now.isoformat(), "reply_by": day.isoformat(),
            "reply_deadline": end_of_local_day(day, _tz(ctx)).isoformat(), "request": request}


@handler("confirm_complete")
def confirm_complete(ctx: HandlerContext) -> dict:
    """Record that the application is complete and send the receipt with the deadline."""
    ctx.host.record_event("complete", {})
    clock = ctx.host.statutory_clock(ctx.data.get("case_type"))
    due = date.fromisoformat(clock["statutory_due"])
    reminder_day = due - timedelta(days=int(ctx.settings.get("extension_reminder_days", 14)))
    email = ctx.data.get("applicant_email")
    reference = ctx.reference or ""
    if email:
        ctx.host.notify(Notification(
            kind="receipt", recipient=email,
            subject=f"Mottagningsbevis ({reference})",
            body=(f"Din ansökan {reference} är komplett.\n"
                  f"Beslut ska fattas senast {due.isoformat()} ({clock['statutory_weeks']} veckor från "
                  f"{clock['statutory_start']}). Tiden kan förlängas en gång. Blir beslutet försenat sätts "
                  f"avgiften ned med en femtedel per påbörjad vecka. Beslutet kan överklagas.\n")))
    return {"complete_at": ctx.now.isoformat(), "statutory_start": clock["statutory_start"],
            "statutory_due": due.isoformat(), "weeks": clock["statutory_weeks"],
            "extension_reminder_at": local_morning(max(reminder_day, _local_day(ctx, ctx.now)), _tz(ctx)).isoformat()}


@handler("extend_deadline")
def extend_deadline(ctx: HandlerContext, reason: str) -> dict:
    """Extend the statutory deadline once, with a reason, before it passes."""
    clock = ctx.host.extend_deadline(reason or "")
    email = ctx.data.get("applicant_email")
    if email:
        ctx.host.notify(Notification(
            kind="extension", recipient=email, subject=f"Förlängd handläggningstid ({ctx.reference})",
            body=(f"Handläggningstiden för {ctx.reference} har förlängts till {clock['statutory_due']}.\n"
                  f"Skäl: {reason}\n")))
    return {"statutory_due": clock["statutory_due"], "reason": reason}


@handler("notify_neighbours")
def notify_neighbours(ctx: HandlerContext) -> dict:
    """Send the neighbour notices and set the response period (default 21 days)."""
    days = int(ctx.settings.get("neighbour_response_days", 21))
    last_day = _local_day(ctx, ctx.now) + timedelta(days=days)
    ctx.host.record_event("neighbours_notified", {"last_day": last_day.isoformat()})
    return {"notified_at": ctx.now.isoformat(), "last_day": last_day.isoformat(),
            "response_due": end_of_local_day(last_day, _tz(ctx)).isoformat()}


@handler("record_legal_force")
def record_legal_force(ctx: HandlerContext) -> dict:
    """The appeal window has passed: the decision has legal force; the case closes."""
    ctx.host.record_event("legal_force", {})
    today = _local_day(ctx, ctx.now)
    result = {"at": ctx.now.isoformat(), "date": today.isoformat()}
    outcome = (ctx.data.get("decision") or {}).get("outcome")
    if outcome == "granted":
        result["start_by"] = today.replace(year=today.year + 2).isoformat()
        result["finish_by"] = today.replace(year=today.year + 5).isoformat()
    return result
