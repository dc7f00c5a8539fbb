"""Two people, one task; a failing handler; nothing half-written."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, Case, HumanTask, OutboxMessage, TaskStatus
from handlers import REGISTRY
from tests.helpers import TRIAGE_COMPLETE, Api


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def test_two_staff_completing_one_task_at_once_exactly_one_wins(app, api, actors, rt):
    case_id = api.as_("applicant").submit()["id"]
    [task] = api.as_("coordinator").tasks()
    barrier = threading.Barrier(2)
    results: list[int] = []

    def complete():
        client = app.test_client()
        barrier.wait()
        r = client.post(f"/api/tasks/{task['id']}/complete", json={"data": TRIAGE_COMPLETE | {"track": "simple"}},
                        headers=actors.headers("coordinator"))
        results.append(r.status_code)

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == [200, 409]
    with rt.db.unit_of_work(write=False) as s:
        tasks = s.scalars(select(HumanTask).where(HumanTask.case_id == case_id)).all()
        assert sorted(t.element_id for t in tasks) == ["coordinator_decision", "triage"]
        completions = s.scalar(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.action == "task.completed"))
        assert completions == 1
        assert s.get(Case, case_id).version >= 2


def test_failing_handler_rolls_the_step_back_and_records_the_error(api, rt, monkeypatch):
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    with rt.db.unit_of_work(write=False) as s:
        before = s.get(Case, case_id)
        state_before, outbox_before = before.state, s.scalar(select(func.count()).select_from(OutboxMessage))

    operation = REGISTRY["compute_fee"]

    def broken(ctx, **params):
        raise ConnectionError("fee service unreachable")

    monkeypatch.setitem(REGISTRY, "compute_fee", operation.__class__(**{**operation.__dict__, "fn": broken}))
    [task] = api.as_("coordinator").tasks("coordinator_decision")
    r = api.as_("coordinator").post(f"/api/tasks/{task['id']}/complete",
                                    {"data": {"outcome": "granted", "decision_text": "Beviljas."}})
    assert r.status_code == 500
    body = r.get_json()
    assert body["error"] == "step_failed" and "fee service unreachable" in body["message"]
    assert body["element"] == "compute_fee_task"
    with rt.db.unit_of_work(write=False) as s:
        case = s.get(Case, case_id)
        assert case.state == state_before and case.outcome is None
        assert "fee service unreachable" in case.last_error
        assert s.get(HumanTask, task["id"]).status == TaskStatus.OPEN
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == outbox_before
        failed = s.scalars(select(AuditEvent).where(AuditEvent.action == "handler.failed")).all()
        assert [e.element_id for e in failed] == ["compute_fee_task"]

    monkeypatch.setitem(REGISTRY, "compute_fee", operation)  # the cause is fixed
    [incident] = api.as_("admin").get("/api/admin/incidents").get_json()
    assert api.as_("admin").post(f"/api/admin/tasks/{incident['id']}/retry").status_code == 200
    case = api.as_("applicant").case(case_id)
    assert case["outcome"] == "granted" and case["last_error"] is None


def test_failure_on_submission_leaves_no_half_written_case(api, rt, monkeypatch):
    operation = REGISTRY["register_case"]

    def broken(ctx):
        raise RuntimeError("diarium offline")

    monkeypatch.setitem(REGISTRY, "register_case", operation.__class__(**{**operation.__dict__, "fn": broken}))
    r = api.as_("applicant").post("/api/cases", {"process": "building_permit",
                                                 "data": __import__("tests.helpers").helpers.application()})
    assert r.status_code == 500 and "diarium offline" in r.get_json()["message"]
    with rt.db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0
        assert s.scalar(select(func.count()).select_from(HumanTask)) == 0
