"""The neighbour hearing (PBL 9 kap. 25 §): when it is required, its exemptions, the notices and the responses."""
from __future__ import annotations

from .i18n import N_
from .registry import HandlerContext, HandlerInputError, handler

#: Statutory grounds for leaving the hearing out although the measure deviates from the plan or lies outside one.
EXEMPTIONS = {
    "all_consented": "every affected party has consented in writing",
    "permit_obviously_impossible": "it is obvious that a permit cannot be given (PBL 9 kap. 25 § third paragraph)",
    "minor_outside_plan": "outside a plan, a measure the hearing rule does not cover (PBL 9 kap. 25 § first "
                          "paragraph 2 and 31 a §)",
}


def _refuse_hearing_rule(required_by_triage: bool, heard: bool, track: str | None, exemption: str | None) -> None:
    if heard and exemption:
        raise HandlerInputError("hearing_exemption", N_(
            "choose either a neighbour hearing or an exemption from it, not both"))
    if heard and track == "simple":
        raise HandlerInputError("track", N_(
            "The simple track has no neighbour hearing, and this case needs one (PBL 9 kap. 25 §): choose the "
            "standard or the committee track, or record a statutory exemption from the hearing."))
    if required_by_triage and not heard and not exemption:
        raise HandlerInputError("neighbours_required", N_(
            "PBL 9 kap. 25 §: the measure deviates from the detailed plan or lies outside one, so the neighbours "
            "must be heard. Leave the hearing out only by choosing a statutory exemption."))
    if exemption and exemption not in EXEMPTIONS:
        raise HandlerInputError("hearing_exemption", N_("is not a statutory exemption from the neighbour hearing"))


@handler("check_neighbour_hearing")
def check_neighbour_hearing(ctx: HandlerContext, required_by_triage: bool, neighbours_required: bool,
                            track: str | None = None, exemption: str | None = None,
                            consent_documents: list | None = None) -> dict:
    """Refuse leaving a required hearing out unless a statutory exemption is chosen; record the exemption."""
    exemption = exemption or None
    _refuse_hearing_rule(bool(required_by_triage), bool(neighbours_required), track, exemption)
    documents = sorted({int(d) for d in consent_documents or []})
    if exemption == "all_consented":
        known = {d["id"] for d in ctx.host.documents()}
        if not documents:
            raise HandlerInputError("hearing_consent_documents", N_(
                "choose the written consents among the case documents"))
        if set(documents) - known:
            raise HandlerInputError("hearing_consent_documents", N_("choose documents of this case"))
    if exemption:
        ctx.host.record_event("hearing_exempted", {"exemption": exemption, "documents": documents})
    return {"required": bool(required_by_triage or neighbours_required), "heard": bool(neighbours_required),
            "exemption": exemption, "consent_documents": documents if exemption == "all_consented" else []}
