"""Kommunicering (förvaltningslagen 25 §): before an adverse decision the applicant may comment on the material."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from .dates import end_of_local_day
from .registry import HandlerContext, handler


def material_against(data, names: dict[str, str]) -> dict:
    """What speaks against the application: what each objecting neighbour said, and referral answers with
    objections. The applicant is told the content, not only who objected (förvaltningslagen 25 §)."""
    hearing = data.get("neighbour_responses") or {}
    neighbours = hearing.get("objection_texts") or [{"name": n} for n in hearing.get("objections") or []]
    referrals = [a for a in (data.get("referral_answers") or []) if isinstance(a, dict) and a.get("objection")]
    return {"neighbour_objections": [{"name": n.get("name"), "text": n.get("text") or ""} for n in neighbours],
            "referral_objections": [{"referral": names.get(a.get("referral"), a.get("referral")),
                                     "statement": a.get("statement")} for a in referrals]}


@handler("communicate_to_applicant", letters=("communication",), returns={
    "sent_at": "datetime", "reply_by": "date", "reply_deadline": "datetime", "neighbour_objections": "list",
    "referral_objections": "list"})
def communicate_to_applicant(ctx: HandlerContext) -> dict:
    """Send the applicant the material against the application and a last day to comment on it."""
    tz = ZoneInfo(ctx.settings.get("timezone", "Europe/Stockholm"))
    reply_by = ctx.now.astimezone(tz).date() + timedelta(days=int(ctx.settings.get("communication_reply_days", 14)))
    material = material_against(ctx.data, ctx.host.recipient_names())
    ctx.host.send_letter("communication", {
        "reply_by": reply_by.isoformat(), "intended_outcome": ctx.data.get("outcome"),
        "reasons": ctx.data.get("reasons") or ctx.data.get("decision_text"), **material})
    ctx.host.record_event("communicated", {"reply_by": reply_by.isoformat()})
    return {"sent_at": ctx.now.isoformat(), "reply_by": reply_by.isoformat(),
            "reply_deadline": end_of_local_day(reply_by, tz).isoformat(), **material}
