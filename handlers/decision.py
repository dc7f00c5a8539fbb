"""Recording and announcing a decision."""
from __future__ import annotations

from .registry import HandlerContext, HandlerInputError, Notification, handler

OUTCOMES = {"granted": "beviljas", "refused": "avslås", "dismissed": "avvisas", "withdrawn": "avskrivs"}


@handler("record_decision")
def record_decision(ctx: HandlerContext, outcome: str, decided_by: str) -> dict:
    """Record the outcome, send the decision to the applicant and publish it."""
    if outcome not in OUTCOMES:
        raise HandlerInputError("outcome", f"must be one of {', '.join(OUTCOMES)}")
    reference = ctx.reference or ""
    fee = ctx.data.get("fee") or {}
    ctx.host.record_event("decided", {"at": ctx.now.isoformat(), "outcome": outcome})
    email = ctx.data.get("applicant_email")
    if email:
        text = ctx.data.get("decision_text") or ""
        fee_line = f"\nAvgift: {fee.get('total')} {fee.get('currency', 'SEK')}\n" if fee and outcome != "withdrawn" else ""
        ctx.host.notify(Notification(
            kind="decision", recipient=email,
            subject=f"Beslut i ärende {reference}: ansökan {OUTCOMES[outcome]}",
            body=f"Beslut i ärende {reference}: ansökan {OUTCOMES[outcome]}.\n\n{text}\n{fee_line}"))
    published = outcome in {"granted", "refused"}
    return {"outcome": outcome, "decided_at": ctx.now.isoformat(), "decided_by": decided_by,
            "published": published, "reference": reference}
