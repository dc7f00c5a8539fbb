"""Recording and announcing a decision."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from .registry import HandlerContext, HandlerInputError, handler

OUTCOMES = {"granted": "beviljas", "refused": "avslås", "dismissed": "avvisas", "withdrawn": "avskrivs"}
#: Who decides on each track: the coordinator and the officer on delegation, or the committee.
DECIDED_BY = {"simple": "coordinator", "standard": "officer", "committee": "committee"}
#: Lov (bygglov, rivningslov, marklov) needs a start notice before work starts (PBL 10 kap.).
LOV_TYPES = {"bygglov", "rivningslov", "marklov"}
FEE_RULE = "PBL 12 kap. 8 a §"


def validity(case_type: str | None, outcome: str) -> dict | None:
    """How long a granted decision is valid, counted from legal force (förhandsbesked: binding for 2 years)."""
    if outcome != "granted" or case_type == "anmalan":
        return None
    if case_type == "forhandsbesked":
        return {"start_years": None, "finish_years": None, "binding_years": 2}
    return {"start_years": 2, "finish_years": 5, "binding_years": None}


def _grounds(ctx: HandlerContext, outcome: str) -> str | None:
    """``as_it_stands`` or ``supplement_not_received`` after an unanswered supplement order, else None."""
    if outcome == "dismissed" and ctx.data.get("action") == "dismiss":
        return "supplement_not_received"
    if outcome != "withdrawn" and (ctx.data.get("completeness") or {}).get("as_it_stands"):
        return "as_it_stands"
    return None


@handler("record_decision", letters=("decision", "withdrawal"))
def record_decision(ctx: HandlerContext, outcome: str, decided_by: str) -> dict:
    """Record the outcome, send the decision to the applicant and publish it."""
    if outcome not in OUTCOMES:
        raise HandlerInputError("outcome", f"must be one of {', '.join(OUTCOMES)}")
    reference = ctx.reference or ""
    fee = ctx.data.get("fee") or {}
    ctx.host.record_event("decided", {"at": ctx.now.isoformat(), "outcome": outcome})
    grounds = _grounds(ctx, outcome)
    tz = ZoneInfo(ctx.settings.get("timezone", "Europe/Stockholm"))
    today = ctx.now.astimezone(tz).date()
    published = outcome in {"granted", "refused"} and ctx.data.get("case_type") != "anmalan"
    if outcome == "withdrawn":
        letter = ctx.host.send_letter("withdrawal", {"withdrawn_on": today.isoformat(),
                                                     "reason": ctx.data.get("withdrawal_reason") or None,
                                                     "fee": None})
    else:
        letter = ctx.host.send_letter("decision", _decision_letter(ctx, outcome, decided_by, grounds, fee, published))
    last_day = today + timedelta(days=int(ctx.settings.get("appeal_window_days", 28)))
    appeal_until = datetime.combine(last_day, time(23, 59, 59), tzinfo=tz).astimezone(ZoneInfo("UTC"))
    return {"outcome": outcome, "decided_at": ctx.now.isoformat(), "decided_by": decided_by, "grounds": grounds,
            "published": published, "reference": reference, "appeal_until": appeal_until.isoformat(),
            "fee_reduction_fifths": fee.get("reduction_fifths", 0), "letter": letter["document_id"]}


def _decision_letter(ctx: HandlerContext, outcome: str, decided_by: str, grounds: str | None, fee: dict,
                     published: bool) -> dict:
    """The decision letter's variables (see processes/README.md)."""
    data = ctx.data
    case_type = data.get("case_type")
    who = DECIDED_BY.get(decided_by, decided_by)
    today = ctx.now.astimezone(ZoneInfo(ctx.settings.get("timezone", "Europe/Stockholm"))).date()
    return {
        "decision": {"outcome": outcome, "text": data.get("decision_text") or None,
                     "reasons": data.get("reasons") or None, "conditions": data.get("conditions") or None,
                     "decided_on": today.isoformat(), "decided_by": who,
                     "minutes_reference": data.get("minutes_reference") if who == "committee" else None,
                     "grounds": grounds},
        "fee": {**fee, "rule": FEE_RULE} if fee else None,
        "validity": validity(case_type, outcome),
        "start_notice_required": outcome == "granted" and case_type in LOV_TYPES,
        "appeal": {"possible": True, "weeks_after_service": 3, "weeks_after_publication": 4},
        "published": published,
    }
