"""Referrals (remiss): a reply date and a reminder for each; external bodies get a letter."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from .dates import end_of_local_day, local_morning
from .registry import HandlerContext, Notification, handler


def _tz(ctx: HandlerContext) -> ZoneInfo:
    return ZoneInfo(ctx.settings.get("timezone", "Europe/Stockholm"))


def external_bodies(ctx: HandlerContext) -> dict:
    """The authorities outside the municipality that referrals may go to (setting ``external_bodies_json``)."""
    return dict(ctx.settings.get("external_bodies") or {})


@handler("send_referrals", letters=("referral",), returns={
    "sent_at": "datetime", "reply_by": "date", "reply_deadline": "datetime", "remind_at": "datetime",
    "external": "list", "internal": "list"})
def send_referrals(ctx: HandlerContext, referrals: list) -> dict:
    """Set the reply date and reminder of every referral; send each external body its referral letter."""
    today = ctx.now.astimezone(_tz(ctx)).date()
    reply_by = today + timedelta(days=int(ctx.settings.get("referral_reply_days", 21)))
    remind_on = max(today, reply_by - timedelta(days=int(ctx.settings.get("referral_reminder_days", 3))))
    bodies = external_bodies(ctx)
    external = [r for r in referrals if r in bodies]
    for name in external:
        body = bodies[name]
        ctx.host.send_letter("referral", {"reply_by": reply_by.isoformat(), "body_name": body.get("name_sv", name),
                                          "description": ctx.data.get("description"),
                                          "assessment": ctx.data.get("assessment")},
                             recipient={"name": body.get("name_sv", name), "email": body.get("email"),
                                        "address": body.get("address"), "language": "sv"})
    ctx.host.record_event("referrals_sent", {"referrals": list(referrals), "external": external,
                                             "reply_by": reply_by.isoformat()})
    return {"sent_at": ctx.now.isoformat(), "reply_by": reply_by.isoformat(),
            "reply_deadline": end_of_local_day(reply_by, _tz(ctx)).isoformat(),
            "remind_at": local_morning(remind_on, _tz(ctx)).isoformat(),
            "external": external, "internal": [r for r in referrals if r not in bodies]}


@handler("remind_referrals", returns={"reminded": "list", "at": "datetime"})
def remind_referrals(ctx: HandlerContext) -> dict:
    """Remind whoever works each unanswered referral (an external body and its officers) of the reply date."""
    round_ = ctx.data.get("referral_round") or {}
    reply_by = round_.get("reply_by", "")
    bodies = external_bodies(ctx)
    reminded = []
    for task in ctx.host.open_tasks("answer_referral"):
        subject = task.get("subject")
        body = bodies.get(subject or "")
        ctx.host.notify(Notification(
            kind="referral_reminder", recipient=f"group:{task['group']}",
            subject=f"Påminnelse: remiss i ärende {ctx.reference} – svar senast {reply_by}",
            body=(f"Remissen i ärende {ctx.reference} ({ctx.data.get('property_designation', '')}) är obesvarad: "
                  f"{task.get('title_sv') or task.get('title')}.\nSvar senast {reply_by}.\n")))
        if body and body.get("email"):
            ctx.host.notify(Notification(
                kind="referral_reminder", recipient=body["email"],
                subject=f"Påminnelse: remiss {ctx.reference} – svar senast {reply_by}",
                body=(f"Vi har inte fått ert svar på remissen i ärende {ctx.reference} "
                      f"({ctx.data.get('property_designation', '')}). Svara senast {reply_by}.\n")))
        reminded.append(subject)
    return {"reminded": reminded, "at": ctx.now.isoformat()}
