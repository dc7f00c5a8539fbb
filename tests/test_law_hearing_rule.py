"""PBL 9 kap. 25 §: a neighbour hearing that triage says is required cannot be skipped; only a statutory
exemption, recorded with the case, leaves it out."""
from __future__ import annotations

import io
import re

import pytest

from tests.helpers import TRIAGE_COMPLETE, Api, application
from tests.test_web import Browser, csrf


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def refused(api, role, name, case_id, data) -> dict:
    [task] = api.as_(role).tasks(name, case_id)
    r = api.as_(role).post(f"/api/tasks/{task['id']}/complete", {"data": data})
    assert r.status_code == 422, r.get_json()
    [error] = r.get_json()["errors"]
    return error


def test_triage_that_leaves_out_a_required_hearing_is_refused_naming_the_rule(api):
    case_id = api.as_("applicant").submit(measure="tillbyggnad", deviates_from_plan=True)["id"]
    error = refused(api, "coordinator", "triage", case_id,
                    TRIAGE_COMPLETE | {"track": "committee", "neighbours_required": False})
    assert error["field"] == "neighbours_required" and "PBL 9 kap. 25 §" in error["message"]
    assert [t["name"] for t in api.as_("officer").case(case_id)["open_tasks"]] == ["triage"]


def test_simple_track_for_a_case_that_needs_a_hearing_is_refused(api):
    case_id = api.as_("applicant").submit(measure="plank", in_detailed_plan=False)["id"]
    error = refused(api, "coordinator", "triage", case_id,
                    TRIAGE_COMPLETE | {"track": "simple", "neighbours_required": True})
    assert error["field"] == "track" and "simple track has no neighbour hearing" in error["message"]
    error = refused(api, "coordinator", "triage", case_id,
                    TRIAGE_COMPLETE | {"track": "simple", "neighbours_required": False})
    assert error["field"] == "neighbours_required"


def test_officer_cannot_drop_the_hearing_at_review_without_an_exemption(api):
    case_id = api.as_("applicant").submit(measure="nybyggnad", in_detailed_plan=False)["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "standard", "neighbours_required": True})
    error = refused(api, "officer", "review", case_id,
                    {"assessment": "Utanför plan.", "referrals": [], "neighbours_required": False})
    assert error["field"] == "neighbours_required"
    api.as_("officer").complete("review", {"assessment": "Utanför plan.", "referrals": [],
                                           "neighbours_required": True})
    case = api.as_("officer").case(case_id)
    assert case["status"] == "neighbour_hearing" and "draft_decision" not in [t["name"] for t in case["open_tasks"]]


def test_hearing_and_exemption_together_are_refused(api):
    case_id = api.as_("applicant").submit(measure="tillbyggnad", deviates_from_plan=True)["id"]
    error = refused(api, "coordinator", "triage", case_id, TRIAGE_COMPLETE | {
        "track": "committee", "neighbours_required": True, "hearing_exemption": "permit_obviously_impossible"})
    assert error["field"] == "hearing_exemption"


def apply_with_consent(app, pdf: bytes = b"%PDF-1.4 medgivande") -> int:
    browser = Browser(app)
    browser.login("anna")
    form = {k: ("true" if v is True else "false" if v is False else v)
            for k, v in application(measure="tillbyggnad", deviates_from_plan=True).items()}
    r = browser.client.post("/portal/apply/building_permit", content_type="multipart/form-data", data={
        **form, "csrf_token": csrf(browser.get("/portal/apply/building_permit").get_data(as_text=True)),
        "documents": [(io.BytesIO(pdf), "grannemedgivande.pdf", "application/pdf")]})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return int(re.search(r"/portal/cases/(\d+)", r.headers["Location"]).group(1))


def test_written_consent_of_every_party_leaves_the_hearing_out_with_the_consents_among_the_documents(app, api):
    case_id = apply_with_consent(app)
    exempt = TRIAGE_COMPLETE | {"track": "committee", "neighbours_required": False,
                                "hearing_exemption": "all_consented"}
    error = refused(api, "coordinator", "triage", case_id, exempt)
    assert error["field"] == "hearing_consent_documents"
    [task] = api.as_("coordinator").tasks("triage", case_id)
    options = task["form"]["schema"]["properties"]["hearing_consent_documents"]["items"]["oneOf"]
    [consent] = [o["const"] for o in options if o["title"] == "grannemedgivande.pdf"]
    assert refused(api, "coordinator", "triage", case_id, exempt | {"hearing_consent_documents": [consent + 99]}) \
        ["field"].startswith("hearing_consent_documents")  # a document of another case is no choice
    api.as_("coordinator").complete("triage", exempt | {"hearing_consent_documents": [consent]})
    history = api.as_("officer").get(f"/api/cases/{case_id}/history").get_json()
    [exempted] = [e for e in history if e["action"] == "case.hearing_exempted"]
    assert exempted["details"] == {"exemption": "all_consented", "documents": [consent]}
    api.as_("officer").complete("review", {"assessment": "Medgivanden finns.", "referrals": [],
                                           "neighbours_required": False})
    assert [t["name"] for t in api.as_("officer").case(case_id)["open_tasks"]] == ["draft_decision"]


def test_exemption_that_a_permit_obviously_cannot_be_given_is_recorded_and_the_case_goes_on(api):
    case_id = api.as_("applicant").submit(measure="nybyggnad", in_detailed_plan=False)["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {
        "track": "standard", "neighbours_required": False, "hearing_exemption": "permit_obviously_impossible"})
    assert [t["name"] for t in api.as_("officer").case(case_id)["open_tasks"]] == ["review"]
    history = api.as_("officer").get(f"/api/cases/{case_id}/history").get_json()
    assert [e["details"]["exemption"] for e in history if e["action"] == "case.hearing_exempted"] == \
        ["permit_obviously_impossible"]
