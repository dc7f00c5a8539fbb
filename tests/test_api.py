"""The JSON API: status codes, bad input, access rules, messages."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import Case, HumanTask
from app.services import users as user_service
from tests.helpers import Api, TRIAGE_COMPLETE, application, reply_by


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def count(rt, model):
    with rt.db.unit_of_work(write=False) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_health_and_openapi(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.") and "/api/cases/{id}" in doc["paths"]


def test_openapi_document_is_valid():
    import json

    from openapi_spec_validator import validate

    from app.api import OPENAPI

    validate(json.loads(OPENAPI.read_text()))


def test_applicant_files_a_case_and_reads_it(api):
    created = api.as_("applicant").submit()
    assert created["reference"].startswith("BYGG ") and created["status"] == "in_triage"
    case = api.as_("applicant").case(created["id"])
    assert case["outcome"] is None and case["open_tasks"][0]["name"] == "triage"
    assert [h["action"] for h in case["history"]][:2] == ["case.submitted", "case.received"]


def test_whole_case_by_api_ends_granted(api):
    case_id = api.as_("applicant").submit()["id"]
    coordinator = api.as_("coordinator")
    coordinator.complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    result = coordinator.complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."})
    assert result["case_status"] == "decided"
    case = api.as_("applicant").case(case_id)
    assert (case["status"], case["outcome"], case["open_tasks"]) == ("decided", "granted", [])
    history = api.as_("applicant").get(f"/api/cases/{case_id}/history").get_json()
    assert "case.decided" in [h["action"] for h in history]


@pytest.mark.parametrize("body, field, message", [
    ({"process": "building_permit", "data": application(measure="pool")}, "measure", "must be one of"),
    ({"process": "building_permit", "data": {k: v for k, v in application().items() if k != "description"}},
     "description", "is required"),
    ({"process": "building_permit", "data": application(in_detailed_plan="yes")}, "in_detailed_plan",
     "must be yes or no"),
    ({"process": "building_permit", "data": application(colour="red")}, "colour", "is not a field"),
    ({"process": "building_permit", "data": application(applicant_email="not-an-email")}, "applicant_email",
     "valid e-mail address"),
    ({"process": "building_permit", "data": application(height_m=-3)}, "height_m", "minimum"),
    ({"process": "building_permit"}, "data", "is required"),
    ({"process": "building_permit", "data": application(), "extra": 1}, "extra", "not a known field"),
    ({"process": "building_permit", "data": ["a"]}, "(form)", "JSON object"),
])
def test_bad_application_is_refused_with_the_field_named(api, rt, body, field, message):
    r = api.as_("applicant").post("/api/cases", body)
    assert r.status_code == 422
    errors = {e["field"]: e["message"] for e in r.get_json()["errors"]}
    assert field in errors and message in errors[field], errors
    assert count(rt, Case) == 0


def test_malformed_json_is_refused(api, rt):
    r = api.as_("applicant").client.post("/api/cases", data="{not json", content_type="application/json",
                                         headers=api.as_("applicant").headers)
    assert r.status_code == 422 and "malformed JSON" in r.get_json()["errors"][0]["message"]
    assert count(rt, Case) == 0


def test_unknown_process_is_404(api):
    r = api.as_("applicant").post("/api/cases", {"process": "dog_licence", "data": {}})
    assert r.status_code == 404 and "dog_licence" in r.get_json()["message"]


def test_requests_without_a_valid_token_are_401(client, actors, rt):
    assert client.get("/api/tasks").status_code == 401
    assert client.get("/api/tasks", headers={"Authorization": "Bearer nope"}).status_code == 401
    with rt.db.unit_of_work() as s:
        user_service.delete_user(s, username="carl")
    r = client.get("/api/tasks", headers=actors.headers("coordinator"))
    assert r.status_code == 401 and "deleted" in r.get_json()["message"]


def test_applicant_cannot_read_someone_elses_case(api):
    case_id = api.as_("applicant").submit()["id"]
    assert api.as_("applicant2").get(f"/api/cases/{case_id}").status_code == 403
    assert api.as_("applicant2").get(f"/api/cases/{case_id}/history").status_code == 403
    assert api.as_("applicant").get("/api/cases/999").status_code == 404


def test_staff_see_only_their_groups_tasks(api):
    api.as_("applicant").submit()
    assert [t["name"] for t in api.as_("coordinator").tasks()] == ["triage"]
    assert api.as_("officer").tasks() == [] and api.as_("applicant").tasks() == []
    [task] = api.as_("coordinator").tasks()
    assert task["form"]["schema"]["properties"]["track"]["default"] == "simple"
    assert api.as_("officer").get(f"/api/tasks/{task['id']}").status_code == 403


def test_claim_release_and_complete_rules(api, rt):
    case_id = api.as_("applicant").submit()["id"]
    [task] = api.as_("coordinator").tasks()
    path = f"/api/tasks/{task['id']}"
    officer, coordinator = api.as_("officer"), api.as_("coordinator")
    assert officer.post(path + "/claim").status_code == 403
    assert officer.post(path + "/complete", {"data": TRIAGE_COMPLETE | {"track": "simple"}}).status_code == 403
    r = coordinator.post(path + "/claim")
    assert r.status_code == 200 and r.get_json()["assignee"] == "carl"
    # a second coordinator cannot take it
    with rt.db.unit_of_work() as s:
        other = user_service.create_user(s, username="cecilia", roles=[], groups=["coordinator"], password="password1")
        token = user_service.issue_token(s, other)
    other_headers = {"Authorization": f"Bearer {token}"}
    r = api.client.post(path + "/complete", json={"data": TRIAGE_COMPLETE | {"track": "simple"}}, headers=other_headers)
    assert r.status_code == 409 and r.get_json()["error"] == "task_claimed_by_other"
    assert api.client.post(path + "/claim", headers=other_headers).status_code == 409
    assert coordinator.post(path + "/release").status_code == 200
    r = coordinator.post(path + "/complete", {"data": {"track": "fast"}})
    assert r.status_code == 422
    fields = {e["field"] for e in r.get_json()["errors"]}
    assert {"track", "case_type", "complete", "neighbours_required"} <= fields
    assert coordinator.post(path + "/complete", {"data": TRIAGE_COMPLETE | {"track": "simple"}}).status_code == 200
    r = coordinator.post(path + "/complete", {"data": TRIAGE_COMPLETE | {"track": "simple"}})
    assert r.status_code == 409 and r.get_json()["error"] == "task_already_completed"
    assert coordinator.post(path + "/claim").status_code == 409
    assert [t["name"] for t in api.as_("applicant").case(case_id)["open_tasks"]] == ["coordinator_decision"]


def test_incomplete_triage_needs_a_supplement_request_and_a_future_reply_date(api, rt):
    api.as_("applicant").submit()
    [task] = api.as_("coordinator").tasks()
    path = f"/api/tasks/{task['id']}/complete"
    r = api.as_("coordinator").post(path, {"data": TRIAGE_COMPLETE | {"track": "simple", "complete": False}})
    assert r.status_code == 422
    assert {e["field"] for e in r.get_json()["errors"]} >= {"supplement_request", "reply_by"}
    r = api.as_("coordinator").post(path, {"data": TRIAGE_COMPLETE | {
        "track": "simple", "complete": False, "supplement_request": "Ritning", "reply_by": "2001-01-01"}})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "reply_by"
    with rt.db.unit_of_work(write=False) as s:
        assert s.get(HumanTask, task["id"]).status.value == "open"


def test_supplement_reply_arrives_as_a_message_and_the_case_is_triaged_again(api):
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {
        "track": "simple", "complete": False, "supplement_request": "Situationsplan saknas.", "reply_by": reply_by()})
    case = api.as_("applicant").case(case_id)
    assert case["status"] == "awaiting_supplement" and case["open_tasks"] == []
    r = api.as_("applicant").post(f"/api/cases/{case_id}/messages/supplement_received",
                                  {"data": {"message": "Här är planen."}})
    assert r.status_code == 200 and r.get_json()["status"] == "delivered"
    case = api.as_("applicant").case(case_id)
    assert case["status"] == "in_triage" and case["open_tasks"][0]["name"] == "triage"


def test_material_sent_before_any_order_is_never_taken_as_the_reply_to_a_later_order(api, rt):
    # Until 2026 this material was kept and delivered as the reply to the next supplement order, which is wrong:
    # it is material on the applicant's own initiative (a document and a clock restart, PBL 9 kap.).
    case_id = api.as_("applicant").submit()["id"]
    r = api.as_("applicant").post(f"/api/cases/{case_id}/messages/supplement_received",
                                  {"data": {"message": "Jag skickar fasadritningen direkt."}})
    assert r.status_code == 200
    assert r.get_json() == {"id": r.get_json()["id"], "status": "recorded", "taken_as": "own_initiative_supplement"}
    assert api.as_("applicant").case(case_id)["status"] == "in_triage"
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {
        "track": "simple", "complete": False, "supplement_request": "Situationsplan saknas.", "reply_by": reply_by()})
    # the order waits for a new reply
    case = api.as_("applicant").case(case_id)
    assert case["status"] == "awaiting_supplement" and case["open_tasks"] == []


def test_bad_messages_are_refused(api):
    case_id = api.as_("applicant").submit()["id"]
    applicant = api.as_("applicant")
    r = applicant.post(f"/api/cases/{case_id}/messages/pizza_delivered", {"data": {}})
    assert r.status_code == 403
    r = api.as_("coordinator").post(f"/api/cases/{case_id}/messages/pizza_delivered", {"data": {}})
    assert r.status_code == 422 and "no message 'pizza_delivered'" in r.get_json()["errors"][0]["message"]
    r = applicant.post(f"/api/cases/{case_id}/messages/supplement_received", {"data": "text"})
    assert r.status_code == 422
    assert api.as_("applicant2").post(f"/api/cases/{case_id}/messages/supplement_received",
                                      {"data": {}}).status_code == 403


def test_withdrawn_case_ends_with_outcome_withdrawn(api):
    case_id = api.as_("applicant").submit()["id"]
    r = api.as_("applicant").post(f"/api/cases/{case_id}/withdraw", {"reason": "Vi bygger inte."})
    assert r.status_code == 200 and r.get_json()["outcome"] == "withdrawn"
    assert api.as_("coordinator").tasks() == []
    assert api.as_("applicant").post(f"/api/cases/{case_id}/withdraw", {}).status_code == 409
    r = api.as_("applicant").post(f"/api/cases/{case_id}/messages/supplement_received", {"data": {}})
    assert r.status_code == 409


def test_every_api_route_is_described_in_openapi(app):
    import json
    import re

    from app.api import OPENAPI

    def shape(path):
        return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)

    documented = {(shape(p), m.upper()) for p, ops in json.loads(OPENAPI.read_text())["paths"].items() for m in ops}
    served = {(shape(r.rule), m) for r in app.url_map.iter_rules()
              if r.rule.startswith("/api/") and r.rule != "/api/openapi.json"
              for m in r.methods - {"HEAD", "OPTIONS"}}
    assert served - documented == set()
