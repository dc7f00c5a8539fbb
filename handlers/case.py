"""Registering a case, ordering supplements, confirming completeness."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .registry import HandlerContext, HandlerInputError, Notification, handler

#: Statutory handling time in weeks by case type (PBL 9 kap. 27 §); anmälan 4.
STATUTORY_WEEKS = {"anmalan": 4}
DEFAULT_STATUTORY_WEEKS = 10


def _tz(ctx: HandlerContext) -> ZoneInfo:
    return ZoneInfo(ctx.settings.get("timezone", "Europe/Stockholm"))


def _local_day(ctx: HandlerContext, moment: datetime) -> date:
    return moment.astimezone(_tz(ctx)).date()


def end_of_local_day(day: date, tz: ZoneInfo) -> datetime:
    """The last second of ``day`` in ``tz``, as an aware datetime."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz)


@handler("register_case")
def register_case(ctx: HandlerContext) -> dict:
    """Give the case its reference (BYGG 2026-000042) and acknowledge the application."""
    year = _local_day(ctx, ctx.now).year
    prefix = ctx.settings.get("reference_prefix", "BYGG")
    number = ctx.host.next_number(prefix, year)
    reference = f"{prefix} {year}-{number:06d}"
    ctx.host.record_event("received", {"at": ctx.now.isoformat()})
    email = ctx.data.get("applicant_email")
    if email:
        ctx.host.notify(Notification(
            kind="application_received", recipient=email,
            subject=f"Vi har tagit emot din ansökan ({reference})",
            body=(f"Hej {ctx.data.get('applicant_name', '')},\n\n"
                  f"Vi har tagit emot din ansökan om {ctx.data.get('measure', '')} på "
                  f"{ctx.data.get('property_designation', '')}. Ärendet har diarienummer {reference}.\n"
                  f"Du får ett mottagningsbevis när ansökan är komplett.\n")))
    return {"reference": reference, "registered_at": ctx.now.isoformat()}


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
    deadline = end_of_local_day(day, _tz(ctx)).astimezone(ZoneInfo("UTC"))
    ctx.host.record_event("supplement_ordered", {"at": ctx.now.isoformat(), "reply_by": day.isoformat()})
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
            "reply_deadline": deadline.isoformat(), "request": request}


@handler("confirm_complete")
def confirm_complete(ctx: HandlerContext) -> dict:
    """Record that the application is complete and send the receipt with the deadline."""
    weeks = STATUTORY_WEEKS.get(ctx.data.get("case_type") or "", DEFAULT_STATUTORY_WEEKS)
    start = _local_day(ctx, ctx.now)
    due = start + timedelta(weeks=weeks)
    ctx.host.record_event("complete", {"at": ctx.now.isoformat()})
    email = ctx.data.get("applicant_email")
    reference = ctx.reference or ""
    if email:
        ctx.host.notify(Notification(
            kind="receipt", recipient=email,
            subject=f"Mottagningsbevis ({reference})",
            body=(f"Din ansökan {reference} är komplett sedan {start.isoformat()}.\n"
                  f"Beslut ska fattas senast {due.isoformat()} ({weeks} veckor). Tiden kan förlängas "
                  f"en gång. Blir beslutet försenat sätts avgiften ned med en femtedel per påbörjad "
                  f"vecka. Beslutet kan överklagas.\n")))
    return {"complete_at": ctx.now.isoformat(), "statutory_due": due.isoformat(), "weeks": weeks}
