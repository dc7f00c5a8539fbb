"""The fee from a fee table (taxa); municipalities configure their own."""
from __future__ import annotations

import math
from datetime import date
from zoneinfo import ZoneInfo

from .registry import HandlerContext, handler

#: Example fee table in SEK. Each line says whether the statutory reduction for a
#: late decision applies to it (decision, publication, neighbour notices do;
#: the start notice does not: PBL 12 kap. 8 a §). Override with the setting
#: ``fee_table`` (same shape).
#: ``withdrawal`` is what closing a withdrawn case costs (an avskrivning: no
#: decision on the merits, so nothing is reducible).
DEFAULT_FEE_TABLE = {
    "bygglov": {"decision": 6000, "per_m2": 40, "start_notice": 4000, "withdrawal": 1200},
    "rivningslov": {"decision": 3000, "per_m2": 0, "start_notice": 2000, "withdrawal": 800},
    "marklov": {"decision": 3500, "per_m2": 0, "start_notice": 2000, "withdrawal": 800},
    "forhandsbesked": {"decision": 5000, "per_m2": 0, "start_notice": 0, "withdrawal": 1000},
    "anmalan": {"decision": 2000, "per_m2": 0, "start_notice": 1500, "withdrawal": 500},
}
SIMPLE_MEASURES = {"plank": 0.5, "mur": 0.5, "skylt": 0.4}
PUBLICATION_FEE = 900
NEIGHBOUR_NOTICE_FEE = 1800


@handler("compute_fee", returns={
    "lines": "list", "total": "number", "before_reduction": "number", "reducible": "number", "reduction": "number",
    "reduction_fifths": "integer", "currency": "string"})
def compute_fee(ctx: HandlerContext, case_type: str, measure: str, area_m2: float | None = None) -> dict:
    """Compute the fee lines for a decision; reducible lines are marked."""
    table = ctx.settings.get("fee_table") or DEFAULT_FEE_TABLE
    row = table.get(case_type or "bygglov", table["bygglov"])
    factor = SIMPLE_MEASURES.get(measure, 1.0)
    area = float(area_m2 or 0)
    lines = [{"item": "decision", "amount": round((row["decision"] + row["per_m2"] * area) * factor),
              "reducible": True}]
    if publishes(ctx.data.get("outcome"), case_type):  # nothing published, nothing to pay for it
        lines.append({"item": "publication", "amount": PUBLICATION_FEE, "reducible": True})
    if ctx.data.get("neighbours_required"):
        lines.append({"item": "neighbour_notices", "amount": NEIGHBOUR_NOTICE_FEE, "reducible": True})
    if row["start_notice"]:
        lines.append({"item": "start_notice", "amount": round(row["start_notice"] * factor), "reducible": False})
    total = sum(line["amount"] for line in lines)
    reducible = sum(line["amount"] for line in lines if line["reducible"])
    fifths = _late_fifths(ctx)
    reduction = round(reducible * fifths / 5)
    return {"lines": lines, "total": total - reduction, "before_reduction": total, "reducible": reducible,
            "reduction": reduction, "reduction_fifths": fifths, "currency": "SEK"}


def publishes(outcome: str | None, case_type: str | None) -> bool:
    """A decision on lov or förhandsbesked is published (kungörs); an anmälan, a dismissal or a withdrawal is not."""
    return outcome in {"granted", "refused"} and case_type != "anmalan"


def withdrawal_fee(ctx: HandlerContext) -> dict:
    """The fee table's charge for closing a withdrawn case (avskrivning); never reduced."""
    table = ctx.settings.get("fee_table") or DEFAULT_FEE_TABLE
    row = table.get(ctx.data.get("case_type") or "bygglov", table["bygglov"])
    amount = int(row.get("withdrawal", 0))
    lines = [{"item": "withdrawal", "amount": amount, "reducible": False}] if amount else []
    return {"lines": lines, "total": amount, "before_reduction": amount, "reducible": 0, "reduction": 0,
            "reduction_fifths": 0, "currency": "SEK"}


def _late_fifths(ctx: HandlerContext) -> int:
    """Started weeks past the statutory deadline at decision time, at most five (PBL 12:8 a)."""
    clock = ctx.host.statutory_clock(ctx.data.get("case_type"))
    if not clock.get("statutory_due"):
        return 0
    due = date.fromisoformat(clock["statutory_due"])
    today = ctx.now.astimezone(ZoneInfo(ctx.settings.get("timezone", "Europe/Stockholm"))).date()
    return min(5, max(0, math.ceil((today - due).days / 7)))
