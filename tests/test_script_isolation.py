"""A hostile script cannot take the server down: the server keeps answering, the step fails into an
incident naming the limit it passed, and the case stays as it was."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import clock
from app.models import Case, Incident, Timer
from tests.bundles import hostile_bundle
from tests.helpers import application, store_without_the_gate
from tests.servers import LotsenServer

POWER_TOWER = "x = 10**10**8 > 5"
HOSTILE = {
    "power": (POWER_TOWER, "Compute: the script ran longer than 2 s"),
    "loop": ("while True:\n    pass", "Compute: the script ran longer than 2 s"),
    "memory": ("x = 'x' * 10**10", "Compute: the script used more than 256 MB of memory"),
}
APPLICATION = {k: application()[k] for k in ("applicant_name", "applicant_email", "property_designation", "measure")}
#: /healthz must answer within this while a hostile script runs.
HEALTHY_S = 2.0


@pytest.fixture
def hostile(rt):
    # the deploy gate refuses these scripts (they pass their limits on every path); stored as a version
    # from before the gate, they must still not take the server down
    with rt.db.unit_of_work() as session:
        store_without_the_gate(session, hostile_bundle({k: script for k, (script, _) in HOSTILE.items()},
                                                       POWER_TOWER), "hostile scripts")


@pytest.fixture
def server(rt, actors, hostile, settings, tmp_path):
    srv = LotsenServer(settings, tmp_path / "server.log", env={"LOTSEN_SCHEDULER_INTERVAL_S": "1"})
    yield srv
    srv.stop()


def probe_health_while(server: LotsenServer, busy: threading.Thread) -> list[float]:
    """/healthz answer times, probed until ``busy`` ends."""
    seconds = []
    while busy.is_alive():
        seconds.append(server.health(timeout=HEALTHY_S))
        busy.join(timeout=0.2)
    return seconds


def complete(server: LotsenServer, task_id: str, token: str, replies: list) -> None:
    replies.append(server.request("POST", f"/api/tasks/{task_id}/complete", token=token,
                                  body={"data": {"ok": True}}, timeout=60))


def open_incident(rt, case_id: int) -> dict | None:
    with rt.db.unit_of_work(write=False) as s:
        row = s.scalar(select(Incident).where(Incident.case_id == case_id, Incident.resolved_at.is_(None)))
        return None if row is None else {"error": row.error, "action": row.action}


def test_server_answers_while_hostile_scripts_run_and_each_step_becomes_an_incident(server, actors, rt):
    server.start().wait_until_serving(within_s=60)
    for kind, (_, limit) in HOSTILE.items():
        applicant, coordinator = actors.tokens["applicant"], actors.tokens["coordinator"]
        submitted = server.request("POST", "/api/cases", token=applicant,
                                   body={"process": f"hostile_{kind}", "data": APPLICATION})
        assert submitted.status == 201, submitted
        case_id = submitted.body["id"]
        [task] = [t for t in server.request("GET", "/api/tasks", token=coordinator).body if t["case_id"] == case_id]
        with rt.db.unit_of_work(write=False) as s:
            state_before = s.get(Case, case_id).state

        replies: list = []
        completing = threading.Thread(target=complete, args=(server, task["id"], coordinator, replies))
        completing.start()
        health = probe_health_while(server, completing)

        assert all(s < HEALTHY_S for s in health), (kind, health)
        if kind != "memory":  # a memory bomb fails at once; the others take their 2 s
            assert len(health) >= 3, (kind, health)
        [reply] = replies
        assert reply.status == 500 and reply.body["message"] == limit, reply
        assert open_incident(rt, case_id)["error"] == limit
        # nothing of the failed step was kept: the task is still open and the case's state unchanged
        with rt.db.unit_of_work(write=False) as s:
            assert s.get(Case, case_id).state == state_before
        still_open = [t for t in server.request("GET", "/api/tasks", token=coordinator).body
                      if t["case_id"] == case_id]
        assert [t["id"] for t in still_open] == [task["id"]]
        assert server.request("GET", f"/api/cases/{case_id}", token=applicant).status == 200


def test_server_starts_and_serves_with_a_due_hostile_timer_which_then_waits_for_its_incident(
        server, client, actors, rt):
    clock.set(clock.now() - timedelta(hours=1))  # the case started an hour ago: its 2-second timer is due
    r = client.post("/api/cases", json={"process": "hostile_timer", "data": APPLICATION},
                    headers=actors.headers("applicant"))
    clock.reset()
    assert r.status_code == 201, r.get_json()
    case_id = r.get_json()["id"]

    server.start().wait_until_serving(within_s=60)
    pause = threading.Event()
    for _ in range(300):  # the scheduler fires the timer in the background; the server answers meanwhile
        assert server.health(timeout=HEALTHY_S) < HEALTHY_S
        incident = open_incident(rt, case_id)
        if incident is not None:
            break
        pause.wait(0.1)
    assert incident is not None, server.output()
    assert incident["error"] == "Compute: the script ran longer than 2 s"
    assert incident["action"]["kind"] == "timer"
    with rt.db.unit_of_work(write=False) as s:
        [timer] = s.scalars(select(Timer).where(Timer.case_id == case_id)).all()
        assert timer.failed_at is not None and timer.claimed_by is None
    assert server.health() < HEALTHY_S
