"""The neighbour hearing (PBL 9 kap. 25 §): when it is required, its exemptions, the notices and the responses."""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from .dates import REPLY_DATE_MAX_DAYS, end_of_local_day, reply_day
from .i18n import N_
from .registry import HandlerContext, HandlerInputError, handler

#: Statutory grounds for leaving the hearing out although the measure deviates from the plan or lies outside one.
EXEMPTIONS = {
    "all_consented": "every affected party has consented in writing",
    "permit_obviously_impossible": "it is obvious that a permit cannot be given (PBL 9 kap. 25 § third paragraph)",
    "minor_outside_plan": "outside a plan, a measure the hearing rule does not cover (PBL 9 kap. 25 § first "
                          "paragraph 2 and 31 a §)",
}

CHANNELS = ("letters", "notice_board")


def _tz(ctx: HandlerContext) -> ZoneInfo:
    return ZoneInfo(ctx.settings.get("timezone", "Europe/Stockholm"))


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


@handler("check_neighbour_hearing", returns={
    "required": "boolean", "heard": "boolean", "exemption": "string|null", "consent_documents": "list"})
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


def _response_day(ctx: HandlerContext, response_by: str | None) -> date:
    today = ctx.now.astimezone(_tz(ctx)).date()
    if not response_by:
        return today + timedelta(days=int(ctx.settings.get("neighbour_response_days", 21)))
    try:
        return reply_day(response_by, today, int(ctx.settings.get("reply_date_max_days", REPLY_DATE_MAX_DAYS)))
    except ValueError as exc:
        raise HandlerInputError("hearing_response_by", exc.args[0]) from None


@handler("send_neighbour_notices", letters=("hearing_notice",), returns={
    "channel": list(CHANNELS), "notified_at": "datetime", "last_day": "date", "response_due": "datetime",
    "parties": "integer", "notice": "object?"})
def send_neighbour_notices(ctx: HandlerContext, channel: str, response_by: str | None = None) -> dict:
    """Send each recorded party an underrättelse (a letter) with the last day to answer, or post the notice."""
    if channel not in CHANNELS:
        raise HandlerInputError("hearing_channel", N_("choose letters to the parties or the notice board"))
    last_day = _response_day(ctx, response_by)
    if channel == "notice_board":
        return _post_hearing_notice(ctx, last_day)
    parties = [p for p in ctx.host.hearing_parties() if not p.get("notified_at")]
    if not parties:
        raise HandlerInputError("hearing_channel", N_(
            "add the parties to be heard (name, and address or e-mail) on the case before sending the notices"))
    values = {"response_by": last_day.isoformat(), "description": ctx.data.get("description"),
              "property_designation": ctx.data.get("property_designation"), "measure": ctx.data.get("measure")}
    for party in parties:
        letter = ctx.host.send_letter("hearing_notice", values | {"party_name": party["name"]}, recipient={
            "name": party["name"], "email": party.get("email"), "address": party.get("address"), "language": "sv"})
        ctx.host.party_notified(party["id"], letter)
    ctx.host.record_event("neighbours_notified", {"channel": channel, "last_day": last_day.isoformat(),
                                                  "parties": len(parties)})
    return {"channel": channel, "notified_at": ctx.now.isoformat(), "last_day": last_day.isoformat(),
            "response_due": end_of_local_day(last_day, _tz(ctx)).isoformat(), "parties": len(parties)}


def _post_hearing_notice(ctx: HandlerContext, last_day: date) -> dict:
    """Many parties: the underrättelse is a notice on the anslagstavla, with no personal data."""
    notice = ctx.host.publish_notice(
        "neighbour_notice",
        title=f"Ansökan om lov ({ctx.data.get('measure') or 'åtgärd'}) som avviker från detaljplanen eller ligger "
              f"utanför planlagt område – sakägare får yttra sig",
        text=(f"Sakägare kan lämna synpunkter på ansökan senast {last_day.isoformat()}. Skriv till "
              f"byggnadsnämnden och ange diarienummer {ctx.reference}. Handlingarna finns hos byggnadsnämnden."),
        until=last_day.isoformat())
    ctx.host.record_event("neighbours_notified", {"channel": "notice_board", "last_day": last_day.isoformat(),
                                                  "notice": notice.get("notice_id")})
    return {"channel": "notice_board", "notified_at": ctx.now.isoformat(), "last_day": last_day.isoformat(),
            "response_due": end_of_local_day(last_day, _tz(ctx)).isoformat(), "parties": 0, "notice": notice}


@handler("close_neighbour_hearing", returns={
    "closed_at": "datetime", "parties": "integer", "answered": "integer", "objections": "list",
    "objection_texts": "list", "unanswered": "list", "objected": "boolean"})
def close_neighbour_hearing(ctx: HandlerContext) -> dict:
    """The hearing has ended (every party answered, or the response date passed): what came in."""
    parties = ctx.host.hearing_parties()
    objecting = [p for p in parties if p.get("response") == "objection"]
    objected = [p["name"] for p in objecting]
    said = [{"name": p["name"], "text": p.get("response_text") or ""} for p in objecting]
    silent = [p["name"] for p in parties if not p.get("response")]
    ctx.host.record_event("hearing_closed", {"parties": len(parties), "objections": len(objected),
                                             "unanswered": len(silent)})
    return {"closed_at": ctx.now.isoformat(), "parties": len(parties), "answered": len(parties) - len(silent),
            "objections": objected, "objection_texts": said, "unanswered": silent, "objected": bool(objected)}
