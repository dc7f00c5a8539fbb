"""Who works a task and by when: several candidate groups, an assignee from case data, a due date."""
from __future__ import annotations

import io
from datetime import datetime, UTC

import pytest

from app.clock import clock
from app.config import PROJECT_ROOT
from tests.bundles import CHECK_FORM, FIXTURES
from tests.helpers import Api, application

ROUTING = (FIXTURES / "camunda" / "routing.bpmn").read_text(encoding="utf-8")
APPLICATION_FORM = (PROJECT_ROOT / "processes" / "forms" / "application.json").read_text()


@pytest.fixture
def routed(client, actors):
    def deploy(bpmn: str = ROUTING) -> int:
        files = {"routing.bpmn": bpmn, "application.json": APPLICATION_FORM, "check.json": CHECK_FORM}
        r = client.post("/api/process-models", headers=actors.headers("process_owner"),
                        data={"files": [(io.BytesIO(t.encode()), n) for n, t in files.items()]},
                        content_type="multipart/form-data")
        assert r.status_code == 201, r.get_json()
        r = client.post("/api/cases", json={"process": "routing", "data": application()},
                        headers=actors.headers("coordinator"))  # the diagram names no starter: staff start it
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]

    return deploy


def test_a_task_offered_to_groups_from_case_data_reaches_every_one_of_them(client, actors, routed):
    case_id = routed()
    api = Api(client, actors)
    [for_officer] = api.as_("officer").tasks("review", case_id)
    [for_committee] = api.as_("committee").tasks("review", case_id)
    assert for_officer["id"] == for_committee["id"] and for_officer["group"] == "officer"
    assert api.as_("coordinator").tasks("review", case_id) == []
    r = api.as_("coordinator").post(f"/api/tasks/{for_officer['id']}/complete", {"data": {"ok": True}})
    assert r.status_code == 403 and r.get_json()["message"] == "this task is for the officer or committee group"
    api.as_("committee").complete("review", {"ok": True}, case_id)


def test_a_due_date_of_one_week_is_set_when_the_task_is_created(client, actors, routed):
    clock.set(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    case_id = routed()
    [task] = Api(client, actors).as_("officer").tasks("review", case_id)
    assert datetime.fromisoformat(task["due_at"]) == datetime(2026, 3, 9, 9, 30, tzinfo=UTC)


def test_a_task_assigned_from_case_data_is_that_persons_even_outside_its_groups(client, actors, routed):
    case_id = routed()
    api = Api(client, actors)
    api.as_("officer").complete("review", {"ok": True}, case_id)
    [sign] = api.as_("officer").tasks("sign", case_id)  # olga is the officer test user
    assert sign["assignee"] == "olga" and sign["group"] == "" and sign["due_at"] is None
    assert api.as_("committee").tasks("sign", case_id) == []
    r = api.as_("committee").post(f"/api/tasks/{sign['id']}/complete", {"data": {"ok": True}})
    assert r.status_code == 403 and r.get_json()["message"] == "this task is assigned to someone else"
    api.as_("officer").complete("sign", {"ok": True}, case_id)
    assert api.as_("officer").case(case_id)["completed_at"] is not None


def test_an_assignee_who_is_no_user_leaves_the_task_for_an_administrator(client, actors, routed):
    case_id = routed(ROUTING.replace('signer = "olga"', 'signer = "nobody.here"'))
    api = Api(client, actors)
    api.as_("officer").complete("review", {"ok": True}, case_id)
    assert api.as_("officer").tasks("sign", case_id) == []
    audit = api.as_("admin").get(f"/api/cases/{case_id}/audit").get_json()
    [unknown] = [e for e in audit if e["action"] == "task.assignee_unknown"]
    assert unknown["details"]["assignee"] == "nobody.here"


def test_a_routing_expression_that_reads_a_name_nothing_sets_is_refused_at_deploy_naming_it(client, actors):
    """Before the deploy gate this deployed and became an incident at the task; now no case can meet it."""
    files = {"routing.bpmn": ROUTING.replace('signer = "olga"', 'signer_name = "olga"'),
             "application.json": APPLICATION_FORM, "check.json": CHECK_FORM}
    r = client.post("/api/process-models", headers=actors.headers("process_owner"),
                    data={"files": [(io.BytesIO(t.encode()), n) for n, t in files.items()]},
                    content_type="multipart/form-data")
    assert r.status_code == 422
    [problem] = [e for e in r.get_json()["errors"] if e["element"] == "sign"]
    assert problem["message"] == "Sign reads 'signer' (its assignee expression), which no earlier step can have set"
