"""The HTML pages: login, CSRF, inbox, task forms, portal, access rules."""
from __future__ import annotations

import re

import pytest

from tests.helpers import Api, Browser, TRIAGE_COMPLETE, application, csrf, reply_by


@pytest.fixture
def browser(app):
    return Browser(app)


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def test_wrong_password_is_refused_and_audited(browser, actors):
    r = browser.login("carl", "wrong-password")
    assert r.status_code == 401 and "Fel användarnamn eller lösenord" in r.get_data(as_text=True)


def test_session_cookie_is_httponly_and_samesite(browser, actors):
    r = browser.login("carl")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookies_are_secure_when_served_over_https(rt, actors):
    from app import create_app

    rt.settings.secure_cookies = True
    browser = Browser(create_app(rt.settings, runtime=rt))
    assert "Secure" in browser.login("carl").headers["Set-Cookie"]


def test_posting_a_form_without_csrf_token_is_refused(browser, actors, api):
    api.as_("applicant").submit()
    [task] = api.as_("coordinator").tasks()
    browser.login("carl")
    r = browser.client.post(f"/tasks/{task['id']}/claim")
    assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)


def test_staff_inbox_lists_tasks_of_my_groups_and_filters_by_type(browser, actors, api):
    api.as_("applicant").submit(property_designation="Umeå Eken 1:1")
    browser.login("carl")
    page = browser.get("/inbox").get_data(as_text=True)
    assert "Umeå Eken 1:1" in page and "BYGG " in page
    assert "Umeå Eken 1:1" not in browser.get("/inbox?type=coordinator_decision").get_data(as_text=True)
    browser.client.post("/logout", data={"csrf_token": csrf(page)})
    browser.login("olga")
    assert "Umeå Eken 1:1" not in browser.get("/inbox").get_data(as_text=True)


def test_task_page_shows_suggestions_as_defaults_and_errors_beside_fields(browser, actors, api):
    case_id = api.as_("applicant").submit()["id"]
    [task] = api.as_("coordinator").tasks()
    browser.login("carl")
    page = browser.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert re.search(r'<option value="simple"\s+selected', page)  # the DMN suggestion
    assert "Umeå Tallen 4:12" in page  # the application is shown
    r = browser.post_form(f"/tasks/{task['id']}", f"/tasks/{task['id']}/complete",
                          {"case_type": "bygglov", "track": "simple", "complete": "false"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert re.search(r'data-field="supplement_request".*?class="error"', html, re.S)
    r = browser.post_form(f"/tasks/{task['id']}", f"/tasks/{task['id']}/complete",
                          {"case_type": "bygglov", "track": "simple", "neighbours_required": "false",
                           "complete": "true"})
    assert r.status_code == 302
    assert api.as_("applicant").case(case_id)["open_tasks"][0]["name"] == "coordinator_decision"


def test_applicant_applies_in_the_portal_and_sees_only_own_cases(browser, actors, api):
    other = api.as_("applicant2").submit(property_designation="Umeå Björken 2:2")["id"]
    browser.login("anna")
    form = {k: ("true" if v is True else "false" if v is False else v) for k, v in application().items()}
    r = browser.post_form("/portal/apply/building_permit", "/portal/apply/building_permit", form)
    assert r.status_code == 302
    page = browser.get(r.headers["Location"]).get_data(as_text=True)
    assert "BYGG " in page and "Umeå Tallen 4:12" in page
    listing = browser.get("/portal/").get_data(as_text=True)
    assert "Umeå Tallen 4:12" in listing and "Umeå Björken 2:2" not in listing
    assert browser.get(f"/portal/cases/{other}").status_code == 403
    assert browser.get("/inbox").status_code == 403


def test_portal_application_with_errors_keeps_the_input_and_creates_nothing(browser, actors, api):
    browser.login("anna")
    form = {k: ("true" if v is True else "false" if v is False else v) for k, v in application().items()}
    form["description"] = ""
    r = browser.post_form("/portal/apply/building_permit", "/portal/apply/building_permit", form)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert re.search(r'data-field="description".*?class="error"', html, re.S) and "Umeå Tallen 4:12" in html
    assert api.as_("applicant").get("/api/cases").get_json() == []


@pytest.mark.parametrize("typed", ["nan", "inf", "-Infinity", "1e999"])
def test_a_typed_number_that_is_no_number_is_a_field_error_not_a_stored_oddity(browser, actors, api, typed):
    browser.login("anna")
    form = {k: ("true" if v is True else "false" if v is False else v) for k, v in application().items()}
    form["area_m2"] = typed
    r = browser.post_form("/portal/apply/building_permit", "/portal/apply/building_permit", form)
    assert r.status_code == 422
    assert re.search(r'data-field="area_m2".*?class="error"', r.get_data(as_text=True), re.S)
    assert api.as_("applicant").get("/api/cases").get_json() == []


def test_applicant_answers_a_supplement_request_in_the_portal(browser, actors, api):
    case_id = api.as_("applicant").submit()["id"]
    day = reply_by()
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {
        "track": "simple", "complete": False, "supplement_request": "Situationsplan saknas.", "reply_by": day})
    browser.login("anna")
    page = browser.get(f"/portal/cases/{case_id}").get_data(as_text=True)
    assert "Situationsplan saknas." in page and day in page
    r = browser.post_form(f"/portal/cases/{case_id}", f"/portal/cases/{case_id}/supplement",
                          {"message": "Planen bifogas."})
    assert r.status_code == 302
    assert api.as_("applicant").case(case_id)["status"] == "in_triage"


def test_language_can_be_switched(browser, actors):
    browser.login("carl")
    page = browser.get("/inbox").get_data(as_text=True)
    r = browser.client.post("/lang/en", data={"csrf_token": csrf(page)})
    assert r.status_code == 302
    assert "Inbox" in browser.get("/inbox").get_data(as_text=True)
    browser.client.post("/lang/sv", data={"csrf_token": csrf(page)})
    assert "Inkorg" in browser.get("/inbox").get_data(as_text=True)


def test_case_page_shows_status_in_plain_words_and_the_path(browser, actors, api):
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    browser.login("olga")
    browser.client.post("/lang/en", data={"csrf_token": csrf(browser.get("/inbox").get_data(as_text=True))})
    page = browser.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Being checked by the coordinator" in page
    assert "Register case" in page or "Register the case" in page
    assert "Triage application" in page
