"""Triage by date: lov-plikt follows the rules of the day the application arrived (the 2025 reform), and a
measure that needs no permit closes with an advisory letter. Through the public API with the testing clock."""
from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from tests.helpers import TRIAGE_COMPLETE, Api
from tests.scenario import letters, on
from tests.test_web import Browser

LOW_FENCE = {"measure": "plank", "height_m": 1.0, "description": "Ett 1,0 m högt plank mot grannen."}


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def suggested_case_type(api, case_id: int) -> str:
    [task] = api.as_("coordinator").tasks("triage", case_id)
    return task["form"]["schema"]["properties"]["case_type"]["default"]


def pdf_text(api, document: dict, role="applicant") -> str:
    r = api.as_(role).get(document["url"])
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages).split())


def test_a_low_fence_needs_a_permit_when_it_arrived_before_the_reform_and_not_after(api):
    on(api, date(2025, 11, 28))
    before = api.as_("applicant").submit(**LOW_FENCE)["id"]
    on(api, date(2025, 12, 1))
    after = api.as_("applicant").submit(**LOW_FENCE)["id"]
    assert suggested_case_type(api, before) == "bygglov"
    assert suggested_case_type(api, after) == "no_permit"
    # the date does not change what still needs a permit: a higher fence arriving the same day
    higher = api.as_("applicant").submit(**(LOW_FENCE | {"height_m": 1.8}))["id"]
    assert suggested_case_type(api, higher) == "bygglov"


def test_no_permit_needed_closes_the_case_with_an_advisory_letter_and_no_fee_or_appeal(api, rt):
    on(api, date(2026, 1, 12))
    case_id = api.as_("applicant").submit(**LOW_FENCE)["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {
        "case_type": "no_permit", "track": "simple",
        "advice": "Tänk på att planket inte får skymma sikten vid utfarten."}, case_id=case_id)
    case = api.as_("applicant").case(case_id)
    assert (case["status"], case["outcome"]) == ("closed", "no_permit_needed")
    docs = api.as_("applicant").get(f"/api/cases/{case_id}/documents").get_json()
    [advisory] = [d for d in docs if d["kind"] == "advisory"]
    assert "receipt" not in [d["kind"] for d in docs] and "decision" not in [d["kind"] for d in docs]
    text = pdf_text(api, advisory)
    assert "Åtgärden kräver inte bygglov" in text and "12 januari 2026" in text
    assert "från och med den 1 december 2025" in text and "skymma sikten vid utfarten" in text
    assert "Ingen avgift tas ut" in text
    assert [m.recipient for m in letters(rt, case_id, "advisory")] == ["anna@example.se"]
    period = api.as_("applicant").get(f"/api/cases/{case_id}/appeal-period").get_json()
    assert period["state"] == "not_appealable" and period["parties"] == []


def test_the_portal_says_no_permit_is_needed_and_the_history_never_calls_it_a_decision(app, api):
    on(api, date(2026, 1, 12))
    case_id = api.as_("applicant").submit(**LOW_FENCE)["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"case_type": "no_permit", "track": "simple"},
                                    case_id=case_id)
    browser = Browser(app)
    browser.login("anna")
    page = browser.get(f"/portal/cases/{case_id}").get_data(as_text=True)
    assert 'id="no-permit"' in page and "Besked skickat: lov krävs inte" in page
    assert "Beslut fattat" not in page and 'id="decision"' not in page


def test_no_permit_needed_is_not_held_up_by_the_neighbour_hearing_rule(api):
    on(api, date(2026, 1, 12))
    case_id = api.as_("applicant").submit(**(LOW_FENCE | {"deviates_from_plan": True}))["id"]
    assert api.as_("coordinator").get(f"/api/cases/{case_id}").get_json()["status"] == "in_triage"
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {
        "case_type": "no_permit", "track": "simple", "neighbours_required": True}, case_id=case_id)
    assert api.as_("applicant").case(case_id)["outcome"] == "no_permit_needed"


def test_the_advisory_letter_is_in_english_for_an_applicant_who_chose_english(api, client, actors):
    on(api, date(2025, 11, 20))
    r = api.as_("applicant").post("/api/cases", {"process": "building_permit", "language": "en", "data": {
        "applicant_name": "Anna Andersson", "applicant_email": "anna@example.se", "in_detailed_plan": True,
        "property_designation": "Umeå Tallen 4:12", "deviates_from_plan": False, **LOW_FENCE}})
    assert r.status_code == 201, r.get_json()
    case_id = r.get_json()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"case_type": "no_permit", "track": "simple"},
                                    case_id=case_id)
    [advisory] = [d for d in api.as_("applicant").get(f"/api/cases/{case_id}/documents").get_json()
                  if d["kind"] == "advisory"]
    text = pdf_text(api, advisory)
    assert "The measure needs no building permit" in text and "before 1 December 2025" in text
    assert "Our advice" not in text  # the coordinator gave none
