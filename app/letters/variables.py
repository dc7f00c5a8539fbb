"""The variables each letter template gets, with sample values.

Every letter gets ``COMMON``; a letter of a known kind also gets its own
variables (``KINDS``). The host passes exactly these names (a missing value is
``None``), deploy renders every template with these samples, and
processes/README.md documents them. Dates are ISO strings (``YYYY-MM-DD``);
format them with the ``date`` filter.
"""
from __future__ import annotations

COMMON: dict = {
    "lang": "sv",
    "issued_on": "2026-03-02",
    "authority": {"name": "Byggnadsnämnden", "municipality": "Exempelkommun",
                  "address": "Storgatan 1, 123 45 Exempelstad", "email": "bygg@kommun.example",
                  "phone": "010-123 45 67", "appeal_body": "Länsstyrelsen"},
    "case": {"reference": "BYGG 2026-000042", "property_designation": "Umeå Tallen 4:12", "measure": "Plank",
             "measure_code": "plank",
             "description": "Ett 1,8 m högt plank mot gatan.", "case_type": "bygglov", "received_on": "2026-02-02",
             "applicant_name": "Anna Andersson", "applicant_email": "anna@example.se"},
    "recipient": {"name": "Anna Andersson", "email": "anna@example.se", "address": None},
    #: The case's named contact (the authority's own address and phone while none is named: ``named`` false).
    "contact": {"name": "Carl Coordinator", "email": "carl@kommun.example", "phone": "010-123 45 68",
                "named": True},
}

_FEE = {"total": 4200, "before_reduction": 5250, "reduction": 1050, "reduction_fifths": 1, "reducible": 5250,
        "currency": "SEK", "lines": [{"item": "decision", "amount": 3000, "reducible": True},
                                     {"item": "publication", "amount": 900, "reducible": True},
                                     {"item": "start_notice", "amount": 1350, "reducible": False}],
        "rule": "PBL 12 kap. 8 a §"}

KINDS: dict[str, dict] = {
    "acknowledgement": {},
    "receipt": {"deadline": "2026-05-11", "weeks": 10, "clock_start": "2026-03-02", "start_basis": "remedy"},
    "supplement_order": {"request": "En situationsplan i skala 1:500 saknas.", "reply_by": "2026-03-23",
                         "stops_clock": True, "previous_reply_not_remedying": "2026-03-16"},
    "extension": {"new_deadline": "2026-07-20", "previous_deadline": "2026-05-11", "weeks": 10,
                  "reason": "Ärendet kräver remiss till Trafikverket."},
    "decision": {
        "decision": {"outcome": "granted", "text": "Bygglov beviljas för plank enligt ansökan.",
                     "reasons": "Åtgärden följer detaljplanen.",
                     "conditions": "Planket ska målas i kulören NCS S 2005-Y.",
                     "decided_on": "2026-04-20", "decided_by": "officer", "minutes_reference": None,
                     "grounds": None},
        "fee": _FEE,
        "validity": {"start_years": 2, "finish_years": 5, "binding_years": None},
        "start_notice_required": True,
        "appeal": {"possible": True, "weeks_after_service": 3, "weeks_after_publication": 4},
        "published": True,
        "control_plan": "Egenkontroll av grundläggning och bärande konstruktion.",
    },
    "withdrawal": {"withdrawn_on": "2026-03-10", "reason": None, "fee": None},
    "survey_invitation": {"survey_link": "https://lotsen.kommun.example/survey/eyJhbGciOi",
                          "valid_until": "2026-05-20"},
    "advisory": {"advice": "Planket får byggas utan lov; tänk på att det inte får skymma sikten vid utfarten.",
                 "arrived_on": "2026-01-12", "reform_rules": True},
    "hearing_notice": {"response_by": "2026-03-23", "party_name": "Bo Granne",
                       "description": "Tillbyggnad av enbostadshus, 25 m², 1 m närmare gränsen än planen medger.",
                       "property_designation": "Umeå Tallen 4:12", "measure": "tillbyggnad"},
    "referral": {"reply_by": "2026-03-23", "body_name": "Försvarsmakten",
                 "description": "Mast, 30 m, utanför sammanhållen bebyggelse.", "assessment": "Förenlig med planen."},
    "communication": {"reply_by": "2026-03-16", "intended_outcome": "refused",
                      "reasons": "Tillbyggnaden avviker mer från planen än vad som kan godtas som en liten avvikelse.",
                      "neighbour_objections": [{"name": "Bo Granne", "text": "Tillbyggnaden skuggar min altan."}],
                      "referral_objections": [{"referral": "Miljö", "statement": "Enskilt avlopp kan inte ordnas."}]},
    "appeal_dismissal": {
        "appeal": {"appellant": "Bo Berg", "received_on": "2026-05-20", "last_day": "2026-05-18",
                   "counted_from": "service"},
        "decision": {"decided_on": "2026-04-20", "outcome": "granted", "published_on": "2026-04-20"},
    },
    "appeal_forwarded": {
        "appeal": {"appellant": "Bo Berg", "received_on": "2026-05-04", "last_day": "2026-05-18",
                   "counted_from": "publication"},
        "decision": {"decided_on": "2026-04-20", "outcome": "granted", "published_on": "2026-04-20"},
    },
}


def sample(kind: str, lang: str) -> dict:
    """A complete context for rendering ``kind`` in ``lang`` at deploy."""
    return {**COMMON, **KINDS.get(kind, {}), "lang": lang}


def check_variables(kind: str, given: dict) -> list[str]:
    """Names a handler passed for ``kind`` that are not documented, and documented names it left out."""
    if kind not in KINDS:
        return []
    expected = set(KINDS[kind])
    return sorted((set(given) - expected) | (expected - set(given)))
