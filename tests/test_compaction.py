"""A long-running case does not carry every completed task forever: its saved state stays the same size
however many tasks it completed, while its path, its history and moving it back keep working."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.engine import compaction
from app.models import AuditEvent, Case, HumanTask, TaskStatus
from app.services.processes import deploy
from bench.step_cost import FILES
from tests.helpers import Api
from tests.scenario import deadlines, on
from tests.test_law_walk import arrive_and_remedy, committee_refuses, day, refer_and_hear


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


@pytest.fixture
def long_case(api, rt):
    """A case of long_case (one review after another until a review says it is finished), started by staff."""
    with rt.db.unit_of_work() as s:
        deploy(s, files=FILES, message="long case", author=None)
    r = api.as_("coordinator").post("/api/cases", {"process": "long_case", "data": {}})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def review(api, case_id: int, n: int, finished: bool = False) -> None:
    [task] = api.as_("coordinator").tasks("review", case_id)
    r = api.as_("coordinator").post(f"/api/tasks/{task['id']}/complete",
                                    {"data": {"finished": finished, "note": f"Granskning {n}: " + "x" * 200}})
    assert r.status_code == 200, r.get_json()


def saved_tasks(rt, case_id: int) -> int:
    with rt.db.unit_of_work(write=False) as s:
        return len(json.loads(s.get(Case, case_id).state)["tasks"])


def test_a_long_case_saves_the_same_state_after_60_reviews_as_after_15_and_keeps_every_step(api, rt, long_case):
    for n in range(15):
        review(api, long_case, n)
    after_15 = saved_tasks(rt, long_case)
    for n in range(15, 60):
        review(api, long_case, n)
    assert saved_tasks(rt, long_case) == after_15 < 60
    case = api.as_("coordinator").case(long_case)
    assert [step["element"] for step in case["path"]].count("review") == 60
    ats = [step["at"] for step in case["path"]]
    assert ats == sorted(ats)
    with rt.db.unit_of_work(write=False) as s:
        completed = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.case_id == long_case, AuditEvent.action == "task.completed"))
    assert completed == 60
    review(api, long_case, 60, finished=True)
    assert api.as_("coordinator").case(long_case)["status"] == "decided"


def test_a_case_moves_back_to_any_of_its_last_ten_reviews_but_not_further(api, rt, long_case):
    for n in range(14):
        review(api, long_case, n)
    with rt.db.unit_of_work(write=False) as s:
        done = list(s.scalars(select(HumanTask.id).where(HumanTask.case_id == long_case,
                                                         HumanTask.status == TaskStatus.COMPLETED)
                              .order_by(HumanTask.completed_at)))
    too_old = api.as_("admin").post(f"/api/admin/cases/{long_case}/move-back",
                                    {"task": done[-compaction.KEEP_MANUAL - 1], "reason": "Fel underlag."})
    assert too_old.status_code == 422
    assert "not in the case's history any more" in json.dumps(too_old.get_json())
    r = api.as_("admin").post(f"/api/admin/cases/{long_case}/move-back",
                              {"task": done[-compaction.KEEP_MANUAL], "reason": "Fel underlag."})
    assert r.status_code == 200, r.get_json()
    [task] = api.as_("coordinator").tasks("review", long_case)
    assert task["id"] == done[-compaction.KEEP_MANUAL]
    review(api, long_case, 99, finished=True)
    assert api.as_("coordinator").case(long_case)["status"] == "decided"


def walk(api) -> tuple[dict, list[str], dict]:
    """The law walk's case (tests/test_law_walk.py) to the committee's refusal: (case, its path, its clocks)."""
    case_id = arrive_and_remedy(api)
    on(api, day(25))
    refer_and_hear(api, case_id)
    committee_refuses(api, case_id)
    case = api.as_("officer").case(case_id)
    return case, [step["element"] for step in case["path"]], deadlines(api, case_id)


def test_the_law_walk_ends_the_same_when_every_save_keeps_only_one_user_task(api, rt, monkeypatch):
    full_case, full_path, full_clocks = walk(api)
    monkeypatch.setattr(compaction, "KEEP_MANUAL", 1)
    case, path, clocks = walk(api)
    assert (case["outcome"], case["status"]) == (full_case["outcome"], full_case["status"]) == ("refused", "decided")
    assert path == full_path and "committee_decision" in path
    assert clocks == full_clocks
    assert saved_tasks(rt, case["id"]) < saved_tasks(rt, full_case["id"])
