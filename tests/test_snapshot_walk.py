"""Saving a case walks its task tree once for its live tasks (ready, waiting, started) instead of once per
state, and finds exactly what a walk per state finds: the same inbox tasks, timers, messages and data."""
from __future__ import annotations

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from app.engine.runtime import ProcessEngine
from tests.helpers import Api
from tests.scenario import on
from tests.test_law_walk import arrive_and_remedy, committee_refuses, day, refer_and_hear


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def _per_state(wf) -> dict:
    """What the snapshot used to read from one walk per state."""
    return {"ready": [str(t.id) for t in wf.get_tasks(state=TaskState.READY, manual=True)],
            "waiting": [str(t.id) for t in wf.get_tasks(state=TaskState.WAITING)],
            "started": [str(t.id) for t in wf.get_tasks(state=TaskState.STARTED)],
            "data": ProcessEngine.case_data(wf)}


def test_a_save_walks_the_live_tasks_once_and_finds_what_a_walk_per_state_finds(api, smtp, monkeypatch):
    original_snapshot, original_get_tasks = ProcessEngine.snapshot, BpmnWorkflow.get_tasks
    walks, compared, problems = [], [], []

    def counting_get_tasks(self, *args, **kwargs):
        walks.append(kwargs.get("state"))
        return original_get_tasks(self, *args, **kwargs)

    def checked_snapshot(self, wf, events, **kwargs):
        expected = _per_state(wf)
        walks.clear()
        snapshot = original_snapshot(self, wf, events, **kwargs)
        found = {"ready": [t.id for t in snapshot.ready], "data": snapshot.data,
                 "timers": {t.task_id for t in snapshot.timers}, "external": [w.id for w in snapshot.external]}
        live_walks = [s for s in walks if s is not None and s != TaskState.ANY_MASK]
        if len(live_walks) > 1 and not wf.is_completed():
            problems.append(f"{len(live_walks)} walks of the live tasks: {live_walks}")
        if found["ready"] != expected["ready"] or found["data"] != expected["data"]:
            problems.append(f"found {found}, a walk per state finds {expected}")
        if not found["timers"] <= set(expected["waiting"]) or not set(found["external"]) <= set(expected["started"]):
            problems.append(f"waits found {found}, a walk per state finds {expected}")
        compared.append((len(snapshot.ready), len(snapshot.timers), len(snapshot.messages)))
        return snapshot

    monkeypatch.setattr(ProcessEngine, "snapshot", checked_snapshot)
    monkeypatch.setattr(BpmnWorkflow, "get_tasks", counting_get_tasks)
    case_id = arrive_and_remedy(api)
    on(api, day(25))
    refer_and_hear(api, case_id)
    committee_refuses(api, case_id)
    assert problems == []
    assert any(ready > 1 for ready, _, _ in compared), "parallel tasks (the referrals) were compared"
    assert any(timers for _, timers, _ in compared) and any(messages for _, _, messages in compared)
