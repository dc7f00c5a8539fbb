"""Claiming a task: one person at a time, with the moment it was taken (wait and work times)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.clock import clock
from app.services import users as user_service
from tests.helpers import TRIAGE_COMPLETE, Api, at_once

ROUNDS = 8


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


@pytest.fixture
def second_coordinator(rt) -> dict[str, str]:
    with rt.db.unit_of_work() as s:
        user = user_service.create_user(s, username="cecilia", roles=[], groups=["coordinator"], password="password1",
                                        display_name="Cecilia")
        return {"Authorization": f"Bearer {user_service.issue_token(s, user)}"}


def test_two_coordinators_claiming_one_task_at_once_exactly_one_gets_it(app, api, actors, second_coordinator):
    carl = actors.headers("coordinator")
    for _ in range(ROUNDS):
        case_id = api.as_("applicant").submit()["id"]
        [task] = api.as_("coordinator").tasks("triage", case_id)
        path = f"/api/tasks/{task['id']}/claim"
        statuses = at_once(app, [(path, None, carl), (path, None, second_coordinator)])
        assert sorted(statuses) == [200, 409]
        winner = "carl" if statuses[0] == 200 else "cecilia"
        assert api.as_("coordinator").get(f"/api/tasks/{task['id']}").get_json()["assignee"] == winner


def test_claim_notes_when_the_task_was_taken_and_release_forgets_it(api):
    api.as_("applicant").submit()
    [task] = api.as_("coordinator").tasks()
    assert task["claimed_at"] is None
    clock.advance(timedelta(hours=3))
    claimed = api.as_("coordinator").post(f"/api/tasks/{task['id']}/claim").get_json()
    assert claimed["assignee"] == "carl" and claimed["claimed_at"] > task["created_at"]
    again = api.as_("coordinator").post(f"/api/tasks/{task['id']}/claim").get_json()
    assert again["claimed_at"] == claimed["claimed_at"]  # claiming one's own task again keeps the moment
    released = api.as_("coordinator").post(f"/api/tasks/{task['id']}/release").get_json()
    assert released["assignee"] is None and released["claimed_at"] is None


def test_a_task_completed_without_a_claim_counts_as_taken_when_completed(api, rt):
    from app.models import HumanTask

    api.as_("applicant").submit()
    [task] = api.as_("coordinator").tasks()
    clock.advance(timedelta(days=2))
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    with rt.db.unit_of_work(write=False) as s:
        row = s.get(HumanTask, task["id"])
        assert row.claimed_at == row.completed_at and row.assignee.username == "carl"


def test_reassigning_to_another_group_frees_a_task_its_assignee_cannot_work(api):
    api.as_("applicant").submit()
    [task] = api.as_("coordinator").tasks()
    assert api.as_("coordinator").post(f"/api/tasks/{task['id']}/claim").status_code == 200
    r = api.as_("admin").post(f"/api/admin/tasks/{task['id']}/reassign", {"reason": "Fel grupp", "group": "officer"})
    assert r.status_code == 200 and r.get_json()["assignee"] is None and r.get_json()["claimed_at"] is None
    assert api.as_("coordinator").tasks() == []
    claimed = api.as_("officer").post(f"/api/tasks/{task['id']}/claim")
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "olga"


def test_reassigning_within_the_group_keeps_the_assignee(api, second_coordinator):
    api.as_("applicant").submit()
    [task] = api.as_("coordinator").tasks()
    claimed = api.as_("coordinator").post(f"/api/tasks/{task['id']}/claim").get_json()
    r = api.as_("admin").post(f"/api/admin/tasks/{task['id']}/reassign",
                              {"reason": "Samma grupp", "group": "coordinator"})
    assert r.get_json()["assignee"] == "carl" and r.get_json()["claimed_at"] == claimed["claimed_at"]
    r = api.as_("admin").post(f"/api/admin/tasks/{task['id']}/reassign", {"reason": "Semester", "user": "cecilia"})
    assert r.get_json()["assignee"] == "cecilia" and r.get_json()["claimed_at"] is not None
