"""The anmälan process's own step: the start notice (startbesked), refused, or the anmälan dismissed.

An anmälan (attefall and similar measures, PBF 6 kap. 5 §) ends in a start
notice that fixes the control plan; it is not published. The clock stops on
the day it is given (4 weeks from arrival, once extendable by 4).
"""
from __future__ import annotations

from .registry import HandlerContext, HandlerInputError, Notification, handler

OUTCOMES = {"granted": "Startbesked ges", "refused": "Startbesked vägras", "dismissed": "Anmälan avvisas"}


@handler("issue_start_notice")
def issue_start_notice(ctx: HandlerContext, outcome: str, decided_by: str) -> dict:
    """Give or refuse the start notice (or dismiss the anmälan) and tell the applicant; nothing is published."""
    if outcome not in OUTCOMES:
        raise HandlerInputError("outcome", f"must be one of {', '.join(OUTCOMES)}")
    reference = ctx.reference or ""
    ctx.host.record_event("decided", {"at": ctx.now.isoformat(), "outcome": outcome})
    email = ctx.data.get("applicant_email")
    if email:
        ctx.host.notify(Notification(kind="decision", recipient=email,
                                     subject=f"{OUTCOMES[outcome]} ({reference})", body=_body(ctx, outcome)))
    return {"outcome": outcome, "decided_at": ctx.now.isoformat(), "decided_by": decided_by, "published": False,
            "reference": reference, "start_notice": outcome == "granted"}


def _body(ctx: HandlerContext, outcome: str) -> str:
    data = ctx.data
    lines = [f"{OUTCOMES[outcome]} i ärende {ctx.reference or ''}: {data.get('description') or ''} på "
             f"{data.get('property_designation') or ''}.", ""]
    if data.get("decision_text"):
        lines += [str(data["decision_text"]), ""]
    if outcome == "granted":
        if data.get("control_plan"):
            lines += ["Kontrollplan som fastställs:", str(data["control_plan"]), ""]
        lines.append("Åtgärden får påbörjas. Slutbesked krävs innan det nya får tas i bruk.")
    fee = data.get("fee") or {}
    if fee and outcome != "dismissed":
        lines.append(f"Avgift: {fee.get('total')} {fee.get('currency', 'SEK')}")
    lines.append("Beslutet kan överklagas hos länsstyrelsen inom tre veckor från den dag du fick det.")
    return "\n".join(lines) + "\n"
