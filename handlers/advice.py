"""Triage found that the measure needs no permit: advise the applicant and close the case."""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from .registry import HandlerContext, handler

OUTCOME = "no_permit_needed"


@handler("advise_no_permit", letters=("advisory",), returns={
    "outcome": [OUTCOME], "decided_at": "datetime", "decided_by": ["coordinator"], "grounds": "null",
    "published": "boolean", "reference": "string", "letter": "integer", "arrived_on": "date"})
def advise_no_permit(ctx: HandlerContext, advice: str | None = None) -> dict:
    """Send the advisory letter under the lov-plikt rules of the arrival date; not a decision, no fee, no appeal."""
    tz = ZoneInfo(ctx.settings.get("timezone", "Europe/Stockholm"))
    arrived_on = (ctx.data.get("registration") or {}).get("arrived_on") or ctx.now.astimezone(tz).date().isoformat()
    reform = date.fromisoformat(str(ctx.settings.get("rules_change_date", "2025-12-01")))
    letter = ctx.host.send_letter("advisory", {
        "advice": (advice or "").strip() or None, "arrived_on": arrived_on,
        "reform_rules": date.fromisoformat(arrived_on) >= reform})
    ctx.host.record_event("advised", {"at": ctx.now.isoformat(), "outcome": OUTCOME})  # not a decision
    return {"outcome": OUTCOME, "decided_at": ctx.now.isoformat(), "decided_by": "coordinator", "grounds": None,
            "published": False, "reference": ctx.reference or "", "letter": letter["document_id"],
            "arrived_on": arrived_on}
