"""External tasks: integration workers fetch, lock, complete and fail work through the documented API."""
from __future__ import annotations

import io
import json
import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest

from app.clock import clock
from app.config import PROJECT_ROOT
from app.models import Case
from tests.bundles import CHECK_FORM, FIXTURES
from tests.helpers import Api, application

ARCHIVE_BPMN = (FIXTURES / "external" / "archive_permit.bpmn").read_text(encoding="utf-8")
APPLICATION_FORM = (PROJECT_ROOT / "processes" / "forms" / "application.json").read_text()
FETCH = "/api/external-tasks/fetch-and-lock"


def deploy_archive(client, actors) -> None:
    files = {"archive_permit.bpmn": ARCHIVE_BPMN, "application.json": APPLICATION_FORM, "check.json": CHECK_FORM}
    r = client.post("/api/process-models", headers=actors.headers("process_owner"),
                    data={"files": [(io.BytesIO(t.encode()), n) for n, t in files.items()]},
                    content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()


def start_case(client, actors) -> int:
    r = client.post("/api/cases", json={"process": "archive_permit", "data": application()},
                    headers=actors.headers("coordinator"))  # staff start it (the diagram names no starter)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def issue_worker(client, actors, name="archiver", topics=None) -> dict:
    body = {"name": name} | ({"topics": topics} if topics is not None else {})
    r = client.post("/api/admin/workers", json=body, headers=actors.headers("admin"))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["token"].startswith("lotsen_worker_")
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


@pytest.fixture
def archive(client, actors):
    """A deployed process whose first step is an external task, one case waiting at it, and a worker token."""
    deploy_archive(client, actors)
    return start_case(client, actors), issue_worker(client, actors)


def fetch(client, worker, *, worker_id="w1", topic="archive", lock_ms=60_000, **extra) -> list[dict]:
    r = client.post(FETCH, headers=worker, json={"workerId": worker_id, "maxTasks": 5,
                                                 "topics": [{"topicName": topic, "lockDuration": lock_ms, **extra}]})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def post(client, worker, task_id: str, verb: str, body: dict):
    return client.post(f"/api/external-tasks/{task_id}/{verb}", headers=worker, json=body)


def facts(rt, case_id: int) -> dict:
    with rt.db.unit_of_work(write=False) as s:
        return s.get(Case, case_id).facts


def test_a_worker_fetches_locks_and_completes_a_task_and_the_case_goes_on(client, actors, rt, archive):
    case_id, worker = archive
    api = Api(client, actors).as_("coordinator")
    assert api.case(case_id)["status"] == "received" and api.tasks("check", case_id) == []
    [task] = fetch(client, worker, variables=["measure", "in_detailed_plan"])
    assert (task["topicName"], task["workerId"], task["activityId"]) == ("archive", "w1", "archive")
    assert task["processInstanceId"] == str(case_id) and task["processDefinitionKey"] == "archive_permit"
    assert task["retries"] == 2 and task["lockExpirationTime"].endswith("+0000")
    assert task["variables"] == {"measure": {"type": "String", "value": "plank", "valueInfo": {}},
                                 "in_detailed_plan": {"type": "Boolean", "value": True, "valueInfo": {}}}
    assert fetch(client, worker, worker_id="w2") == []  # locked: nobody else gets it
    r = post(client, worker, task["id"], "complete", {
        "workerId": "w1", "variables": {"archive_number": {"value": "A-2026-17", "type": "String"},
                                        "archive_receipt": {"value": '{"box": 4}', "type": "Json"}}})
    assert r.status_code == 204, r.get_json()
    assert api.case(case_id)["status"] == "in_triage"
    assert facts(rt, case_id)["archive_number"] == "A-2026-17"
    assert facts(rt, case_id)["archive_receipt"] == {"box": 4}
    api.complete("check", {"ok": True}, case_id)
    assert api.case(case_id)["completed_at"] is not None
    assert post(client, worker, task["id"], "complete", {"workerId": "w1"}).status_code == 404


def test_the_step_counts_as_done_only_when_the_worker_completes_it(client, actors, archive):
    case_id, worker = archive

    def archive_events() -> list[str]:
        audit = client.get(f"/api/cases/{case_id}/audit", headers=actors.headers("admin")).get_json()
        return [e["action"] for e in audit if e["element"] == "archive"]

    assert archive_events() == ["external_task.created"]
    [task] = fetch(client, worker)
    assert post(client, worker, task["id"], "complete", {"workerId": "w1"}).status_code == 204
    assert archive_events() == ["external_task.created", "external_task.completed",
                                "engine.external_task_completed"]


def test_only_worker_tokens_fetch_and_a_revoked_token_stops_working(client, actors, archive):
    _, worker = archive
    body = {"workerId": "w1", "topics": [{"topicName": "archive", "lockDuration": 1000}]}
    r = client.post(FETCH, headers=actors.headers("admin"), json=body)
    assert r.status_code == 401 and "need a worker token" in r.get_json()["message"]
    assert client.post(FETCH, json=body).status_code == 401
    listed = client.get("/api/admin/workers", headers=actors.headers("admin")).get_json()
    assert [(w["name"], w["revoked_at"]) for w in listed] == [("archiver", None)] and "token" not in listed[0]
    assert client.get("/api/admin/workers", headers=actors.headers("officer")).status_code == 403
    assert client.delete("/api/admin/workers/archiver", headers=actors.headers("admin")).status_code == 200
    r = client.post(FETCH, headers=worker, json=body)
    assert r.status_code == 401 and r.get_json()["message"] == "the worker token has been revoked"


def test_a_worker_limited_to_some_topics_cannot_fetch_others(client, actors, archive):
    gis = issue_worker(client, actors, name="gis", topics=["gis-lookup"])
    r = client.post(FETCH, headers=gis, json={"workerId": "g", "topics": [{"topicName": "archive",
                                                                            "lockDuration": 1000}]})
    assert r.status_code == 403
    assert r.get_json()["message"] == "worker 'gis' may not fetch topic archive (its topics: gis-lookup)"
    assert fetch(client, gis, topic="gis-lookup") == []


def test_an_expired_lock_is_released_and_an_extended_one_is_not(client, actors, archive):
    _, worker = archive
    [task] = fetch(client, worker, lock_ms=1_000)
    clock.advance(timedelta(seconds=2))
    [again] = fetch(client, worker, worker_id="w2", lock_ms=10_000)
    assert again["id"] == task["id"] and again["workerId"] == "w2"
    late = post(client, worker, task["id"], "complete", {"workerId": "w1"})
    assert late.status_code == 409 and late.get_json()["message"] == "the task is locked by worker 'w2', not 'w1'"
    assert post(client, worker, task["id"], "extend-lock", {"workerId": "w2", "newDuration": 60_000}).status_code == 204
    clock.advance(timedelta(seconds=30))
    assert fetch(client, worker, worker_id="w3") == []  # w2's extended lock still holds
    clock.advance(timedelta(seconds=31))
    expired = post(client, worker, task["id"], "complete", {"workerId": "w2"})
    assert expired.status_code == 409 and "the lock ran out at" in expired.get_json()["message"]
    assert [t["workerId"] for t in fetch(client, worker, worker_id="w3")] == ["w3"]


def test_a_failure_with_retries_left_is_offered_again_after_its_timeout(client, actors, archive):
    _, worker = archive
    [task] = fetch(client, worker)
    r = post(client, worker, task["id"], "failure", {"workerId": "w1", "errorMessage": "archive is down",
                                                     "errorDetails": "HTTP 503", "retries": 1,
                                                     "retryTimeout": 60_000})
    assert r.status_code == 204, r.get_json()
    assert fetch(client, worker) == []
    clock.advance(timedelta(seconds=61))
    [again] = fetch(client, worker)
    assert (again["retries"], again["errorMessage"], again["errorDetails"]) == (1, "archive is down", "HTTP 503")


def test_when_retries_run_out_the_task_is_an_incident_an_administrator_retries(client, actors, archive):
    case_id, worker = archive
    [task] = fetch(client, worker)
    assert post(client, worker, task["id"], "failure", {"workerId": "w1", "errorMessage": "archive refused the file",
                                                        "retries": 0}).status_code == 204
    [incident] = client.get("/api/admin/incidents", headers=actors.headers("admin")).get_json()
    assert (incident["case_id"], incident["element"], incident["kind"]) == (case_id, "archive", "external_task")
    assert incident["error"] == "archive: archive refused the file"
    assert fetch(client, worker) == []  # nobody works it until an administrator decides
    waiting = client.get("/api/admin/external-tasks", headers=actors.headers("admin")).get_json()
    assert [(t["id"], t["retries"], t["error_message"]) for t in waiting] == [(task["id"], 0,
                                                                                "archive refused the file")]
    r = client.post(f"/api/admin/tasks/{task['id']}/retry", headers=actors.headers("admin"))
    assert r.status_code == 200, r.get_json()
    [again] = fetch(client, worker)
    assert again["retries"] == 1
    assert post(client, worker, again["id"], "complete", {"workerId": "w1"}).status_code == 204
    assert Api(client, actors).as_("coordinator").tasks("check", case_id)


def test_an_administrator_may_skip_a_failed_external_task_with_its_result(client, actors, rt, archive):
    case_id, worker = archive
    [task] = fetch(client, worker)
    post(client, worker, task["id"], "failure", {"workerId": "w1", "errorMessage": "gone", "retries": 0})
    r = client.post(f"/api/admin/tasks/{task['id']}/skip", headers=actors.headers("admin"),
                    json={"data": {"archive_number": "by hand 12"}, "reason": "archived on paper"})
    assert r.status_code == 200, r.get_json()
    assert facts(rt, case_id)["archive_number"] == "by hand 12"
    assert Api(client, actors).as_("coordinator").tasks("check", case_id)


@pytest.mark.parametrize("verb, body, status, field", [
    ("fetch", {"topics": [{"topicName": "archive", "lockDuration": 1000}]}, 422, "workerId"),
    ("fetch", {"workerId": "w", "topics": [{"topicName": "archive", "lockDuration": 0}]}, 422,
     "topics[0].lockDuration"),
    ("fetch", {"workerId": "w", "topics": []}, 422, "topics"),
    ("fetch", {"workerId": "w", "topics": [{"lockDuration": 10}]}, 422, "topics[0].topicName"),
    ("fetch", {"workerId": "w", "maxTasks": 1000, "topics": [{"topicName": "a", "lockDuration": 10}]}, 422,
     "maxTasks"),
    ("fetch", {"workerId": "w", "topic": "archive"}, 422, "topic"),
    ("complete", {"workerId": "w1", "variables": {"n": 5}}, 422, "variables.n"),
    ("complete", {"workerId": "w1", "variables": {"_secret": {"value": 1}}}, 422, "variables._secret"),
    ("complete", {"workerId": "w1", "variables": {"doc": {"value": "AA==", "type": "File"}}}, 422, "variables.doc"),
    ("complete", {"workerId": "w1", "variables": {"j": {"value": "{nope", "type": "Json"}}}, 422, "variables.j"),
    ("failure", {"workerId": "w1", "errorMessage": "x"}, 422, "retries"),
    ("failure", {"workerId": "w1", "retries": -1}, 422, "retries"),
    ("extend-lock", {"workerId": "w1", "newDuration": "soon"}, 422, "newDuration"),
])
def test_bad_requests_are_refused_naming_the_field(client, actors, archive, verb, body, status, field):
    _, worker = archive
    if verb == "fetch":
        r = client.post(FETCH, headers=worker, json=body)
    else:
        [task] = fetch(client, worker)
        r = post(client, worker, task["id"], verb, body)
    assert r.status_code == status, r.get_json()
    assert field in [e["field"] for e in r.get_json()["errors"]]


def test_completing_a_task_one_does_not_hold_is_a_conflict(client, actors, archive):
    _, worker = archive
    [task] = fetch(client, worker, worker_id="w1")
    r = post(client, worker, task["id"], "complete", {"workerId": "someone-else"})
    assert r.status_code == 409 and r.get_json()["message"] == "the task is locked by worker 'w1', not 'someone-else'"
    r = post(client, worker, "0b4f6c1e-0000-4000-8000-000000000000", "complete", {"workerId": "w1"})
    assert r.status_code == 404 and r.get_json()["message"].startswith("no waiting external task with id")


def test_a_suspended_case_offers_no_work(client, actors, archive):
    case_id, worker = archive
    r = client.post(f"/api/admin/cases/{case_id}/suspend", json={"reason": "the applicant asked for a pause"},
                    headers=actors.headers("admin"))
    assert r.status_code == 200, r.get_json()
    assert fetch(client, worker) == []


def _http(url: str, token: str, body: dict) -> tuple[int, object]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def test_two_workers_fetching_at_once_never_lock_the_same_task(client, actors, live_server):
    deploy_archive(client, actors)
    cases = {start_case(client, actors) for _ in range(8)}
    token = issue_worker(client, actors)["Authorization"].removeprefix("Bearer ")
    locked: dict[str, list[str]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def work(worker_id: str) -> None:
        start.wait()
        while True:
            status, tasks = _http(f"{live_server}{FETCH}", token, {
                "workerId": worker_id, "maxTasks": 1, "topics": [{"topicName": "archive", "lockDuration": 60_000}]})
            assert status == 200, tasks
            if not tasks:
                return
            locked[worker_id] += [t["id"] for t in tasks]

    threads = [threading.Thread(target=work, args=(w,)) for w in locked]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    everything = locked["a"] + locked["b"]
    assert len(everything) == len(set(everything)) == len(cases)
