"""A case's path is appended to, not rewritten: the saved path holds only the steps of the tasks still in the
case's state, the earlier steps are written once to the case's step history, and every reader still shows the
whole path — the API, the case page and the diagram's counts."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import Case, CaseStep
from app.services import case_admin
from app.services.processes import deploy
from bench.step_cost import FILES
from tests.helpers import Api
from tests.test_compaction import review
from tests.test_web import Browser


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


def saved_path(rt, case_id: int) -> list:
    with rt.db.unit_of_work(write=False) as s:
        return list(s.get(Case, case_id).path)


def history_rows(rt, case_id: int) -> int:
    with rt.db.unit_of_work(write=False) as s:
        return s.scalar(select(func.count()).select_from(CaseStep).where(CaseStep.case_id == case_id))


def reviews_in(path: list) -> int:
    return [step["element"] for step in path].count("review")


def test_a_long_case_saves_a_path_of_the_same_length_after_60_reviews_as_after_15(app, api, rt, long_case):
    for n in range(15):
        review(api, long_case, n)
    after_15 = len(saved_path(rt, long_case))
    for n in range(15, 60):
        review(api, long_case, n)
    assert len(saved_path(rt, long_case)) == after_15

    path = api.as_("coordinator").case(long_case)["path"]
    assert reviews_in(path) == 60
    assert history_rows(rt, long_case) + after_15 == len(path)  # each step written once
    assert [step["at"] for step in path] == sorted(step["at"] for step in path)
    with rt.db.unit_of_work(write=False) as s:
        assert case_admin.diagram_markers(s, s.get(Case, long_case))["counts"]["review"] == 60
    web = Browser(app)
    web.login("carl")
    page = web.get(f"/cases/{long_case}")
    assert page.status_code == 200 and page.get_data(as_text=True).count('class="step-user-task"') == 60


def test_a_case_saved_with_its_whole_path_keeps_every_step_once_when_it_next_moves(api, rt, long_case):
    for n in range(20):
        review(api, long_case, n)
    with rt.db.unit_of_work() as s:  # as a case saved before the step history: the whole path in the case row
        case = s.get(Case, long_case)
        whole = case.steps
        s.execute(CaseStep.__table__.delete().where(CaseStep.case_id == long_case))
        case.path = whole
    assert api.as_("coordinator").case(long_case)["path"] == api_path(whole)

    review(api, long_case, 20)
    path = api.as_("coordinator").case(long_case)["path"]
    assert path[:len(whole)] == api_path(whole) and reviews_in(path) == 21
    assert len(saved_path(rt, long_case)) < len(whole) and history_rows(rt, long_case) > 0


def api_path(steps: list[dict]) -> list[dict]:
    return [{"element": step["element"], "name": step["name"], "at": step["at"]} for step in steps]
