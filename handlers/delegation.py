"""The delegation order: who may take which decision (processes/delegation.dmn, the process owner's table)."""
from __future__ import annotations

from .i18n import N_
from .registry import HandlerContext, HandlerInputError, handler

#: The committee delegates; it never loses the right to decide a matter itself.
DELEGATING_BODY = "committee"


def delegates_of(delegates) -> set[str]:
    """The groups a rule names (a list, or a comma-separated text), plus the committee."""
    names = delegates.split(",") if isinstance(delegates, str) else list(delegates or [])
    return {str(n).strip() for n in names if str(n).strip()} | {DELEGATING_BODY}


@handler("check_delegation", returns={
    "group": "string", "outcome": "string", "rule": "string", "on_delegation": "boolean"})
def check_delegation(ctx: HandlerContext, group: str, outcome: str, delegates, rule: str) -> dict:
    """Refuse a decision taken outside the delegation order, naming its rule; record who decided on delegation."""
    allowed = delegates_of(delegates)
    if group not in allowed:
        raise HandlerInputError("outcome", N_("Under the delegation order this decision is not yours to take: "
                                              "%(rule)s.", rule=rule))
    on_delegation = group != DELEGATING_BODY
    ctx.host.record_event("decision_taken", {"group": group, "outcome": outcome, "rule": rule,
                                             "on_delegation": on_delegation})
    return {"group": group, "outcome": outcome, "rule": rule, "on_delegation": on_delegation}
