"""Rollback makes an earlier version current; migration refuses moves that would fail, saying why."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.config import PROJECT_ROOT
from app.models import AuditEvent
from tests.helpers import TRIAGE_COMPLETE, Api
from tests.test_studio_api import CHECK_PLAN_FORM, building_permit_v2

BUILDING_PERMIT = (PROJECT_ROOT / "processes" / "building_permit.bpmn").read_text()
SET_PRIORITY = """<bpmn:scriptTask id="set_priority" name="Set priority">
      <bpmn:incoming>track_gateway_to_review</bpmn:incoming>
      <bpmn:incoming>hand_over_gateway_to_review</bpmn:incoming>
      <bpmn:outgoing>set_priority_to_review</bpmn:outgoing>
      <bpmn:script>priority = 'high' if deviates_from_plan else 'normal'</bpmn:script>
    </bpmn:scriptTask>
    """


def with_priority() -> str:
    """The reference process with a step before the review (on both ways to it) that sets `priority`, read by the
    committee question."""
    text = BUILDING_PERMIT
    for old, new in [
        ('sourceRef="track_gateway" targetRef="review" />',
         'sourceRef="track_gateway" targetRef="set_priority" />\n    <bpmn:sequenceFlow id="set_priority_to_review" '
         'sourceRef="set_priority" targetRef="review" />'),
        ("<bpmn:incoming>track_gateway_to_review</bpmn:incoming>\n      "
         "<bpmn:incoming>hand_over_gateway_to_review</bpmn:incoming>",
         "<bpmn:incoming>set_priority_to_review</bpmn:incoming>"),
        ('sourceRef="hand_over_gateway" targetRef="review"', 'sourceRef="hand_over_gateway" targetRef="set_priority"'),
        ('<bpmn:exclusiveGateway id="track_gateway"', SET_PRIORITY + '<bpmn:exclusiveGateway id="track_gateway"'),
        ("<bpmn:flowNodeRef>track_gateway</bpmn:flowNodeRef>",
         "<bpmn:flowNodeRef>set_priority</bpmn:flowNodeRef><bpmn:flowNodeRef>track_gateway</bpmn:flowNodeRef>"),
        ("track == 'committee' or 'officer' not in delegates</bpmn:conditionExpression>",
         "track == 'committee' or 'officer' not in delegates or priority == 'high'</bpmn:conditionExpression>"),
    ]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def upload(client, actors, files: dict[str, str], message: str = "test"):
    data = {"files": [(io.BytesIO(t.encode()), n) for n, t in files.items()], "message": message}
    return client.post("/api/process-models", data=data, headers=actors.headers("process_owner"),
                       content_type="multipart/form-data")


def in_language(client, actors, url: str, language: str):
    return client.get(url, headers={**actors.headers("process_owner"), "Accept-Language": language}).get_json()


def test_rollback_makes_an_earlier_version_current_again(client, actors, api, rt):
    r = upload(client, actors, {"building_permit.bpmn": building_permit_v2(), "check_plan.json": CHECK_PLAN_FORM})
    assert r.status_code == 201 and r.get_json()["version"] == 2
    url = "/api/process-models/building_permit/rollback"
    assert api.as_("officer").post(url, {"version": 1}).status_code == 403
    assert api.as_("process_owner").post(url, {"version": 9}).status_code == 404
    assert api.as_("process_owner").post(url, {"version": "1"}).status_code == 422
    assert api.as_("process_owner").post(url, {"version": 2**63}).status_code == 422  # was a 500: no such integer
    assert api.as_("process_owner").post(url, {"version": 1, "extra": True}).status_code == 422

    r = api.as_("process_owner").post(url, {"version": 1, "message": "The plan check slowed every case down."})
    body = r.get_json()
    assert r.status_code == 201, body
    assert body["version"] == 3 and body["rolled_back_to"] == 1 and body["gate"]["verdict"] != "refused"
    owner = api.as_("process_owner")
    v1 = owner.get("/api/process-models/building_permit/versions/1").get_json()
    v3 = owner.get("/api/process-models/building_permit/versions/3").get_json()
    assert v3["content_hash"] == v1["content_hash"] and v3["message"] == "The plan check slowed every case down."
    assert v3["author"] == "petra" and v3["gate"]["verdict"] != "refused"

    case_id = api.as_("applicant").submit()["id"]
    assert api.as_("officer").case(case_id)["process_version"] == 3
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "standard"}, case_id)
    api.as_("officer").complete("review", {"assessment": "Fine."}, case_id)
    assert [t["name"] for t in api.as_("officer").tasks(case_id=case_id)] == ["draft_decision"]  # no plan check

    again = owner.post(url, {"version": 1})
    assert again.status_code == 200 and again.get_json()["unchanged"] is True
    with rt.db.unit_of_work(write=False) as s:
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "process.rolled_back")).all()
        assert event.actor == "petra" and event.details["to"] == 1 and event.details["version"] == 3


def test_a_move_onto_a_version_whose_next_steps_need_data_the_case_lacks_is_refused(client, actors, api):
    at_triage = api.as_("applicant").submit()["id"]
    at_review = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "standard"}, at_review)
    r = upload(client, actors, {"building_permit.bpmn": with_priority()}, "priority for deviations")
    assert r.status_code == 201, r.get_json()

    owner = api.as_("process_owner")
    preview = {p["case_id"]: p for p in owner.get("/api/process-models/building_permit/migration-preview?to=2")
               .get_json()}
    assert preview[at_triage]["can_migrate"] is True
    assert preview[at_review] == {
        "case_id": at_review, "reference": preview[at_review]["reference"], "from_version": 1, "can_migrate": False,
        "reason": "in version 2 the step 'Committee decides?' needs 'priority', which this case does not have"}
    swedish = in_language(client, actors, "/api/process-models/building_permit/migration-preview?to=2", "sv")
    [refused] = [p for p in swedish if p["case_id"] == at_review]
    assert refused["reason"] == "i version 2 behöver steget 'Committee decides?' 'priority', som ärendet inte har"
    r = owner.post(f"/api/cases/{at_review}/migrate", {"version": 2})
    assert r.status_code == 409 and "needs 'priority'" in r.get_json()["message"]
    assert owner.post(f"/api/cases/{at_triage}/migrate", {"version": 2}).status_code == 200


def test_the_reason_a_move_is_refused_is_in_the_users_language(client, actors, api):
    case_id = api.as_("applicant").submit()["id"]
    r = upload(client, actors, {"building_permit.bpmn": building_permit_v2().replace(
        '<bpmn:userTask id="triage" name="Triage application">', '<bpmn:userTask id="triage_v2" name="Triage">')
        .replace('targetRef="triage"', 'targetRef="triage_v2"').replace('sourceRef="triage"', 'sourceRef="triage_v2"')
        .replace('attachedToRef="triage"', 'attachedToRef="triage_v2"')
        .replace("<bpmn:flowNodeRef>triage</bpmn:flowNodeRef>", "<bpmn:flowNodeRef>triage_v2</bpmn:flowNodeRef>")
        .replace('bpmnElement="triage"', 'bpmnElement="triage_v2"'), "check_plan.json": CHECK_PLAN_FORM},
        "triage renamed")
    assert r.status_code == 201, r.get_json()
    url = "/api/process-models/building_permit/migration-preview?to=2"
    [en] = in_language(client, actors, url, "en")
    [sv] = in_language(client, actors, url, "sv")
    assert en["case_id"] == case_id
    assert en["reason"] == "its open task 'Triage application' does not exist in version 2"
    assert sv["reason"] == "den öppna uppgiften 'Granska ansökan' finns inte i version 2"
