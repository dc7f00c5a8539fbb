"""Recording and announcing a decision."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from .registry import HandlerContext, HandlerInputError, Notification, handler

OUTCOMES = {"granted": "beviljas", "refused": "avslås", "dismissed": "avvisas", "withdrawn": "avskrivs"}
#: Why a decision was taken without the supplement the applicant was ordered to send.
GROUND_TEXTS = {
    "as_it_stands": ("Ansökan har prövats i befintligt skick, på det underlag som fanns, eftersom den "
                     "komplettering som begärdes i föreläggandet inte kom in."),
    "supplement_not_received": "Ansökan avvisas eftersom den komplettering som begärdes i föreläggandet inte kom in.",
}


def _grounds(ctx: HandlerContext, outcome: str) -> str | None:
    """``as_it_stands`` or ``supplement_not_received`` after an unanswered supplement order, else None."""
    if outcome == "dismissed" and ctx.data.get("action") == "dismiss":
        return "supplement_not_received"
    if outcome != "withdrawn" and (ctx.data.get("completeness") or {}).get("as_it_stands"):
        return "as_it_stands"
    return None


@handler("record_decision")
def record_decision(ctx: HandlerContext, outcome: str, decided_by: str) -> dict:
    """Record the outcome, send the decision to the applicant and publish it."""
    if outcome not in OUTCOMES:
        raise HandlerInputError("outcome", f"must be one of {', '.join(OUTCOMES)}")
    reference = ctx.reference or ""
    fee = ctx.data.get("fee") or {}
    ctx.host.record_event("decided", {"at": ctx.now.isoformat(), "outcome": outcome})
    grounds = _grounds(ctx, outcome)
    email = ctx.data.get("applicant_email")
    if email:
        text = "\n\n".join(t for t in (GROUND_TEXTS.get(grounds, ""), ctx.data.get("decision_text") or "") if t)
        fee_line = ""
        if fee and outcome != "withdrawn":
            fee_line = f"\nAvgift: {fee.get('total')} {fee.get('currency', 'SEK')}"
            if fee.get("reduction"):
                fee_line += (f" (nedsatt med {fee['reduction_fifths']}/5 av den reducerbara avgiften, "
                             f"{fee['reduction']} kr, eftersom beslutet kom efter tidsfristen)")
            fee_line += "\n"
        ctx.host.notify(Notification(
            kind="decision", recipient=email,
            subject=f"Beslut i ärende {reference}: ansökan {OUTCOMES[outcome]}",
            body=f"Beslut i ärende {reference}: ansökan {OUTCOMES[outcome]}.\n\n{text}\n{fee_line}"))
    published = outcome in {"granted", "refused"}
    tz = ZoneInfo(ctx.settings.get("timezone", "Europe/Stockholm"))
    last_day = ctx.now.astimezone(tz).date() + timedelta(days=int(ctx.settings.get("appeal_window_days", 28)))
    appeal_until = datetime.combine(last_day, time(23, 59, 59), tzinfo=tz).astimezone(ZoneInfo("UTC"))
    return {"outcome": outcome, "decided_at": ctx.now.isoformat(), "decided_by": decided_by, "grounds": grounds,
            "published": published, "reference": reference, "appeal_until": appeal_until.isoformat(),
            "fee_reduction_fifths": fee.get("reduction_fifths", 0)}
