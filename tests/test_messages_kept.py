"""A message to a case is stored whatever happens to the step it wakes, and delivered once."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Case, Incident, PendingMessage
from app.services.processes import deploy, read_directory
from handlers import REGISTRY
from handlers.registry import HandlerError, Operation
from tests.conftest import PROCESSES
from tests.helpers import Api, TRIAGE_COMPLETE, at_once, reply_by

ROUNDS = 6
INCOMPLETE = TRIAGE_COMPLETE | {"track": "simple", "complete": False, "supplement_request": "Ritning saknas.",
                                "reply_by": reply_by()}
SUPPLEMENT = {"data": {"message": "Här är ritningen."}}


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def test_a_message_racing_a_task_completion_is_stored_and_delivered(app, api, actors, rt):
    for _ in range(ROUNDS):
        case_id = api.as_("applicant").submit()["id"]
        [task] = api.as_("coordinator").tasks("triage", case_id)
        complete, message = at_once(app, [
            (f"/api/tasks/{task['id']}/complete", {"data": INCOMPLETE}, actors.headers("coordinator")),
            (f"/api/cases/{case_id}/messages/supplement_received", SUPPLEMENT, actors.headers("applicant"))])
        assert complete == 200
        assert message == 200  # delivered as the reply, or recorded as material; never refused
        with rt.db.unit_of_work(write=False) as s:
            [message] = s.scalars(select(PendingMessage).where(PendingMessage.case_id == case_id)).all()
            assert message.delivered_at is not None
            payload = message.payload
        assert_supplement_reached_the_case(api.as_("applicant").case(case_id), payload)


def assert_supplement_reached_the_case(case: dict, payload: dict) -> None:
    """Whichever came first, the supplement is in the case: as the reply, or as earlier material."""
    if payload.get("taken_as"):  # it came first: own-initiative material; the order waits for a reply
        assert payload["taken_as"] == "own_initiative_supplement"
        assert case["status"] == "awaiting_supplement"
    else:  # the completion came first: the message is the reply, and the case is back in triage
        assert case["status"] == "in_triage" and [t["name"] for t in case["open_tasks"]] == ["triage"]


def with_supplement_registration(files: dict[str, str]) -> dict[str, str]:
    """The reference process with a service task that registers each supplement in the diarium."""
    bpmn = files["building_permit.bpmn"]
    flow = ('<bpmn:sequenceFlow id="supplement_received_to_before_triage" name="Re-triage" '
            'sourceRef="supplement_received" targetRef="before_triage" />')
    gateway_in = "<bpmn:incoming>{}</bpmn:incoming>"
    assert flow in bpmn and bpmn.count(gateway_in.format("supplement_received_to_before_triage")) == 1
    bpmn = bpmn.replace(gateway_in.format("supplement_received_to_before_triage"),
                        gateway_in.format("register_supplement_task_to_before_triage"))
    bpmn = bpmn.replace(flow, flow.replace('targetRef="before_triage"', 'targetRef="register_supplement_task"') + """
    <bpmn:serviceTask id="register_supplement_task" name="Register supplement">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="register_supplement" resultVariable="supplement_registration">
          <spiffworkflow:parameters />
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
      <bpmn:incoming>supplement_received_to_before_triage</bpmn:incoming>
      <bpmn:outgoing>register_supplement_task_to_before_triage</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="register_supplement_task_to_before_triage" sourceRef="register_supplement_task"
      targetRef="before_triage" />""")
    return {**files, "building_permit.bpmn": bpmn}


@pytest.fixture
def diarium(monkeypatch, rt):
    """A supplement-registration step whose diarium can be taken offline."""
    state = {"online": False, "calls": 0}

    def register_supplement(ctx) -> dict:
        state["calls"] += 1
        if not state["online"]:
            raise HandlerError("diariet svarar inte")
        return {"registered": True}

    monkeypatch.setitem(REGISTRY, "register_supplement", Operation(
        name="register_supplement", fn=register_supplement, required=frozenset(), optional=frozenset()))
    with rt.db.unit_of_work() as s:
        deploy(s, files=with_supplement_registration(read_directory(PROCESSES)), message="register supplements",
               author=None)
    return state


def test_a_message_whose_delivery_fails_is_kept_with_an_incident_and_delivered_on_retry(api, rt, diarium):
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", INCOMPLETE, case_id=case_id)
    r = api.as_("applicant").post(f"/api/cases/{case_id}/messages/supplement_received", SUPPLEMENT)
    assert r.status_code == 202
    body = r.get_json()
    assert body["status"] == "pending" and "diariet svarar inte" in body["incident"]["error"]
    assert body["incident"]["element"] == "register_supplement_task"
    with rt.db.unit_of_work(write=False) as s:
        message = s.get(PendingMessage, body["id"])
        assert message.payload["message"] == "Här är ritningen." and message.delivered_at is None
        assert s.get(Incident, body["incident"]["id"]).action["kind"] == "message"
        assert "diariet svarar inte" in s.get(Case, case_id).last_error
    assert api.as_("applicant").case(case_id)["status"] == "awaiting_supplement"

    diarium["online"] = True  # the cause is fixed
    r = api.as_("admin").post(f"/api/admin/tasks/{body['incident']['id']}/retry")
    assert r.status_code == 200 and r.get_json()["resolution"] == "retried"
    case = api.as_("applicant").case(case_id)
    assert case["status"] == "in_triage" and case["last_error"] is None
    with rt.db.unit_of_work(write=False) as s:
        [message] = s.scalars(select(PendingMessage).where(PendingMessage.case_id == case_id)).all()
        assert message.id == body["id"] and message.delivered_at is not None  # the kept one, delivered once
        assert s.get(Case, case_id).facts["supplement"]["message"] == "Här är ritningen."
    assert diarium["calls"] == 2  # the failed step, and the retry
