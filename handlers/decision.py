"""Recording and announcing a decision."""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from .dates import last_filing_day
from .fees import publishes, withdrawal_fee
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


@handler("record_decision", letters=("decision", "withdrawal"), returns={
    "outcome": list(OUTCOMES), "decided_at": "datetime", "decided_by": "string", "published": "boolean",
    "reference": "string", "fee_reduction_fifths": "integer",
    "grounds": [None, "as_it_stands", "supplement_not_received"], "letter": "integer",
    "publication": "object|null?", "fee": "object?"})
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
    published = publishes(outcome, ctx.data.get("case_type"))
    if outcome == "withdrawn":
        return _withdrawal(ctx, today, reference)
    letter = ctx.host.send_letter("decision", _decision_letter(ctx, outcome, decided_by, grounds, fee, published))
    ctx.host.serve(letter["document_id"])  # the appeal period waits until the applicant is served
    publication = _announce(ctx, outcome, today) if published else None
    return {"outcome": outcome, "decided_at": ctx.now.isoformat(), "decided_by": decided_by, "grounds": grounds,
            "published": published, "reference": reference,
            "fee_reduction_fifths": fee.get("reduction_fifths", 0), "letter": letter["document_id"],
            "publication": publication}


#: How the notice board names each kind of decision (notices are in Swedish, the authority's language).
TYPE_WORDS = {"bygglov": "Bygglov", "rivningslov": "Rivningslov", "marklov": "Marklov",
              "forhandsbesked": "Förhandsbesked"}


def _announce(ctx: HandlerContext, outcome: str, today: date) -> dict:
    """Kungörelse of the decision: what was decided and how to appeal, for the appeal period after publication.

    Those not served may appeal within 4 weeks of publication (PBL 13 kap. 16 §), moved to the next working day
    when that is a holiday (lag 1930:173).
    """
    last_day = last_filing_day(today + timedelta(weeks=4))
    data = ctx.data
    if data.get("case_type") == "forhandsbesked":
        title = "Positivt förhandsbesked" if outcome == "granted" else "Negativt förhandsbesked"
    else:
        title = f"{TYPE_WORDS.get(data.get('case_type'), 'Lov')} {OUTCOMES[outcome]}"
    title = f"{title} för {data.get('measure') or 'åtgärd'}"
    authority = ctx.settings.get("authority_name", "Byggnadsnämnden")
    text = (f"Beslutet kan överklagas hos {ctx.settings.get('appeal_body', 'Länsstyrelsen')}. Skicka överklagandet "
            f"till {authority} och ange diarienummer {ctx.reference}. Den som inte har fått beslutet sänt till sig "
            f"kan överklaga till och med {last_day.isoformat()}.")
    return ctx.host.publish_notice("decision", title, text, last_day.isoformat())


def _withdrawal(ctx: HandlerContext, today, reference: str) -> dict:
    """An avskrivning: no decision on the merits, nothing to appeal or publish, the fee table's withdrawal fee."""
    fee = withdrawal_fee(ctx)
    letter = ctx.host.send_letter("withdrawal", {"withdrawn_on": today.isoformat(),
                                                 "reason": ctx.data.get("withdrawal_reason") or None,
                                                 "fee": fee if fee["total"] else None})
    return {"outcome": "withdrawn", "decided_at": ctx.now.isoformat(), "decided_by": "applicant", "grounds": None,
            "published": False, "reference": reference, "fee": fee,
            "fee_reduction_fifths": 0, "letter": letter["document_id"]}


def _decision_letter(ctx: HandlerContext, outcome: str, decided_by: str, grounds: str | None, fee: dict,
                     published: bool) -> dict:
    """The decision letter's variables (see processes/README.md)."""
    data = ctx.data
    case_type = data.get("case_type")
    # The committee's own words (recorded from its minutes), never the officer's draft.
    by_committee = bool(data.get("minutes_reference"))
    who = "committee" if by_committee else DECIDED_BY.get(decided_by, decided_by)
    prefix = "committee_" if by_committee else ""
    today = ctx.now.astimezone(ZoneInfo(ctx.settings.get("timezone", "Europe/Stockholm"))).date()
    return {
        "decision": {"outcome": outcome,
                     "text": data.get("committee_text" if by_committee else "decision_text") or None,
                     "reasons": data.get(f"{prefix}reasons") or None,
                     "conditions": data.get(f"{prefix}conditions") or None,
                     "decided_on": today.isoformat(), "decided_by": who,
                     "minutes_reference": data.get("minutes_reference") if by_committee else None,
                     "grounds": grounds},
        "fee": {**fee, "rule": FEE_RULE} if fee else None,
        "validity": validity(case_type, outcome),
        "start_notice_required": outcome == "granted" and case_type in LOV_TYPES,
        "appeal": {"possible": True, "weeks_after_service": 3, "weeks_after_publication": 4},
        "published": published,
        "control_plan": (data.get("control_plan") or None) if case_type == "anmalan" and outcome == "granted" else None,
    }
