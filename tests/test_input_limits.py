"""Input the database cannot hold is refused with a clear 4xx before it gets there."""
from __future__ import annotations

import pytest

from tests.conftest import ROLE_USERS
from tests.helpers import Api, Browser, application

TOO_BIG = "99999999999999999999"


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


@pytest.mark.parametrize("path", [f"/api/cases/{TOO_BIG}", f"/api/cases/{2**31}/history",
                                  f"/api/process-models/building_permit/versions/{TOO_BIG}"])
def test_an_id_beyond_the_database_range_is_simply_not_found_in_the_api(api, path):
    r = api.as_("admin").get(path)
    assert r.status_code == 404 and r.is_json


@pytest.mark.parametrize(("role", "path"), [("admin", f"/cases/{TOO_BIG}"), ("admin", f"/admin/cases/{TOO_BIG}"),
                                            ("applicant", f"/portal/cases/{TOO_BIG}")])
def test_an_id_beyond_the_database_range_is_simply_not_found_on_pages(app, actors, role, path):
    browser = Browser(app)
    browser.login(ROLE_USERS[role])
    r = browser.get(path)
    assert r.status_code == 404 and "<h1>Hittades inte</h1>" in r.get_data(as_text=True)


def test_the_largest_id_the_database_holds_is_still_looked_up(api):
    r = api.as_("admin").get(f"/api/cases/{2**31 - 1}")
    assert r.status_code == 404 and r.get_json()["error"] == "case_not_found"


@pytest.mark.parametrize("query", [f"case={TOO_BIG}", "limit=-5", "limit=abc", "case=%C2%B2", "start=0001-01-01",
                                   "end=9999-12-31T23:59:59"])
def test_audit_search_parameters_out_of_range_are_answered_not_crashed(api, query):
    r = api.as_("admin").get(f"/api/audit?{query}")
    assert r.status_code in (200, 422), r.get_data(as_text=True)


@pytest.mark.parametrize(("path", "field"), [
    ("/api/delegation-decisions?to=9999-12-31", "to"),
    ("/api/delegation-decisions?from=0001-01-01&to=0001-01-02", "from"),
])
def test_a_date_no_case_can_concern_is_refused_naming_the_field(api, path, field):
    r = api.as_("admin").get(path)
    assert r.status_code == 422, r.get_data(as_text=True)[:200]
    assert [e["field"] for e in r.get_json()["errors"]] == [field]
    assert "1900-01-01" in r.get_json()["errors"][0]["message"]


def test_an_incident_id_beyond_the_range_is_not_found(api):
    r = api.as_("admin").post(f"/api/admin/tasks/{TOO_BIG}/retry", {})
    assert r.status_code == 404


def test_json_nested_past_a_sane_depth_is_a_bad_request(api):
    deep = "[" * 100_000 + "]" * 100_000
    r = api.as_("applicant").client.post("/api/cases", data='{"process": "building_permit", "data": ' + deep + "}",
                                         headers=api.as_("applicant").headers, content_type="application/json")
    assert r.status_code == 400 and "nested deeper than 32 levels" in r.get_json()["message"]
    forty = {"a": 1}
    for _ in range(40):
        forty = {"a": forty}
    r = api.as_("applicant").post("/api/cases", {"process": "building_permit", "data": forty})
    assert r.status_code == 400


def test_a_nul_character_is_refused_on_every_database(api):
    r = api.as_("applicant").post("/api/cases", {"process": "building_permit\u0000", "data": {}})
    assert r.status_code == 400 and "NUL" in r.get_json()["message"]
    assert api.as_("coordinator").get("/api/tasks/abc%00def").status_code == 400
    assert api.as_("admin").get("/api/audit?actor=a%00b").status_code == 400


def test_a_wrong_method_says_which_methods_are_allowed(api, client):
    r = api.as_("applicant").client.delete("/api/cases", headers=api.as_("applicant").headers)
    assert r.status_code == 405 and set(r.headers["Allow"].split(", ")) >= {"GET", "POST"}
    r = client.put("/login")
    assert r.status_code == 405 and "POST" in r.headers["Allow"]


def test_error_pages_for_refused_requests_speak_the_reader_s_language(client):
    r = client.put("/login", headers={"Accept-Language": "sv"})
    assert r.status_code == 405 and "Sidan kan inte användas på det sättet." in r.get_data(as_text=True)
    r = client.get("/cases?q=a%00b", headers={"Accept-Language": "sv"})
    assert r.status_code == 400 and "Begäran kunde inte läsas" in r.get_data(as_text=True)
    assert "NUL" not in r.get_data(as_text=True)


@pytest.mark.parametrize(("number", "named"), [("NaN", "NaN"), ("-Infinity", "-Infinity"), ("1e999", "1e999"),
                                               ("9" * 5000, "digits")])
def test_a_number_json_cannot_carry_is_a_bad_request_not_a_stored_oddity(api, number, named):
    applicant = api.as_("applicant")
    case_id = applicant.submit()["id"]
    body = '{"data": {"message": "Ritningen kommer.", "area": ' + number + "}}"
    r = applicant.client.post(f"/api/cases/{case_id}/messages/supplement_received", data=body,
                              headers=applicant.headers, content_type="application/json")
    assert r.status_code == 400 and named in r.get_json()["message"], r.get_data(as_text=True)[:300]


@pytest.mark.parametrize(("field", "limit"), [("applicant_name", 200), ("property_designation", 200),
                                              ("applicant_email", 254)])
def test_an_application_field_longer_than_the_case_keeps_is_refused_naming_it(api, field, limit):
    value = "a" * (limit - 11) + "@example.se" if field == "applicant_email" else "Å" * limit
    assert api.as_("applicant").post("/api/cases", {"process": "building_permit",
                                                    "data": application(**{field: value})}).status_code == 201
    too_long = "a" * (limit - 10) + "@example.se" if field == "applicant_email" else "Å" * (limit + 1)
    r = api.as_("applicant").post("/api/cases", {"process": "building_permit",
                                                 "data": application(**{field: too_long})})
    assert r.status_code == 422 and [e["field"] for e in r.get_json()["errors"]] == [field]
    assert f"at most {limit} characters" in r.get_json()["errors"][0]["message"]
