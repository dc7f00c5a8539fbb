"""Service and appeals on the staff case page and in the portal, in Swedish and English."""
from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import TRIAGE_COMPLETE, Api
from tests.scenario import on
from tests.test_web import Browser

DECIDED = date(2026, 3, 2)


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def decided_anmalan(api) -> int:
    """An anmälan (not published) decided on DECIDED: the applicant must be served before the period runs."""
    on(api, DECIDED)
    case_id = api.as_("applicant").submit(measure="attefall")["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple", "case_type": "anmalan"},
                                    case_id=case_id)
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Startbesked."},
                                    case_id=case_id)
    return case_id


def test_officer_records_service_by_post_on_the_case_page_and_the_period_starts(app, api):
    case_id = decided_anmalan(api)
    officer = Browser(app)
    officer.login("olga")
    page = officer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Delgivning och överklaganden" in page and "Inte delgiven ännu" in page
    assert "Överklagandetiden börjar när alla parter har delgetts beslutet." in page
    party = api.as_("officer").get(f"/api/cases/{case_id}/appeal-period").get_json()["parties"][0]["id"]
    on(api, date(2026, 3, 4))
    r = officer.post_form(f"/cases/{case_id}", f"/cases/{case_id}/parties/{party}/service",
                          {"served_on": "2026-03-04", "method": "post"}, follow_redirects=True)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "delgavs 2026-03-04" in page
    assert "Var och en kan överklaga till och med 2026-03-25" in page and "laga kraft 2026-03-26" in page
    assert "Delgivning, överklagande eller avgörande registrerat" in page  # the history in words, not the code
    assert "Pröva överklagandetiden" in page and "Check the appeal period" not in page  # the path in Swedish


def test_a_bad_day_of_service_is_refused_on_the_page_naming_the_field_and_nothing_is_saved(app, api):
    case_id = decided_anmalan(api)
    officer = Browser(app)
    officer.login("olga")
    party = api.as_("officer").get(f"/api/cases/{case_id}/appeal-period").get_json()["parties"][0]["id"]
    r = officer.post_form(f"/cases/{case_id}", f"/cases/{case_id}/parties/{party}/service",
                          {"served_on": "2026-03-09", "method": "post"}, follow_redirects=True)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Delgiven den: får inte ligga i framtiden" in page
    assert api.as_("officer").get(f"/api/cases/{case_id}/appeal-period").get_json()["parties"][0]["served_on"] is None


def test_officer_registers_a_late_appeal_on_the_case_page_in_english_and_it_is_dismissed(app, api):
    case_id = decided_anmalan(api)
    party = api.as_("officer").get(f"/api/cases/{case_id}/appeal-period").get_json()["parties"][0]["id"]
    api.as_("officer").post(f"/api/cases/{case_id}/parties/{party}/service",
                            {"served_on": "2026-03-02", "method": "post"})
    on(api, date(2026, 3, 24))
    officer = Browser(app)
    officer.login("olga")
    officer.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    r = officer.post_form(f"/cases/{case_id}", f"/cases/{case_id}/appeals",
                          {"appellant": "Bo Berg", "received_on": "2026-03-24", "party": "",
                           "address": "Granngatan 3", "language": "en"},
                          follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "too late" in page and "Too late: dismissed" in page and "The letter (PDF)" in page


def test_applicant_sees_until_when_they_can_appeal_once_served(app, api):
    case_id = decided_anmalan(api)
    applicant = Browser(app)
    applicant.login("anna")
    page = applicant.get(f"/portal/cases/{case_id}").get_data(as_text=True)
    assert "Du kan överklaga inom tre veckor från den dag du tar del av beslutet." in page
    party = api.as_("officer").get(f"/api/cases/{case_id}/appeal-period").get_json()["parties"][0]["id"]
    api.as_("officer").post(f"/api/cases/{case_id}/parties/{party}/service",
                            {"served_on": "2026-03-02", "method": "post"})
    page = applicant.get(f"/portal/cases/{case_id}").get_data(as_text=True)
    assert "Du tog del av beslutet den 2026-03-02 och kan överklaga till och med 2026-03-23." in page
    assert "vinner beslutet laga kraft den 2026-03-24" in page
    assert "appeal_period_changed" not in page and "Delgivning, överklagande" not in page  # staff news only


def test_a_process_without_an_appeal_stage_shows_no_service_card(app, api):
    """The anmälan process closes with its startbesked: the case page shows no appeal period to wait out."""
    from tests.test_anmalan_paths import notification

    on(api, DECIDED)
    r = api.as_("applicant").post("/api/cases", {"process": "anmalan", "data": {
        k: v for k, v in notification().items() if v is not None}})
    assert r.status_code == 201, r.get_json()
    case_id = r.get_json()["id"]
    api.as_("officer").complete("check_notification", {"complete": True, "consultation_needed": False},
                                case_id=case_id)
    api.as_("officer").complete("decide_start_notice", {"outcome": "granted", "decision_text": "Startbesked.",
                                                        "control_plan": "Egenkontroll."}, case_id=case_id)
    assert api.as_("officer").case(case_id)["status"] == "closed"
    officer = Browser(app)
    officer.login("olga")
    page = officer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Delgivning och överklaganden" not in page and "Överklagandetiden börjar" not in page
