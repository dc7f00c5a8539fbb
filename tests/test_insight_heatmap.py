"""The heatmap: per task of a deployed version, how many were done, the median wait and the median work."""
from __future__ import annotations

import statistics
from datetime import datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from tests.helpers import TRIAGE_COMPLETE, Api, browser_login
from tests.insight_history import walk
from tests.test_insight_dashboard import manager_headers


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def _independent(rt) -> dict[str, tuple[int, float, float]]:
    """Per element, straight from the task rows: count, median wait and median work in hours."""
    with rt.db.unit_of_work(write=False) as session:
        rows = session.execute(text(
            "SELECT element_id, created_at, claimed_at, completed_at FROM human_task "
            "WHERE status = 'COMPLETED' AND claimed_at IS NOT NULL")).all()
    by_element: dict[str, list] = {}
    for element, *moments in rows:  # SQLite hands back text, PostgreSQL datetimes
        by_element.setdefault(element, []).append(
            [m if isinstance(m, datetime) else datetime.fromisoformat(m).replace(tzinfo=None) for m in moments])
    return {e: (len(ts), round(statistics.median((b - a).total_seconds() for a, b, _ in ts) / 3600, 2),
                round(statistics.median((c - b).total_seconds() for _, b, c in ts) / 3600, 2))
            for e, ts in by_element.items()}


def test_the_heatmap_gives_each_task_its_count_and_medians_as_the_task_rows_do(api, rt, client):
    walk(api)
    headers = manager_headers(rt)
    answer = client.get("/api/insight/heatmap?process=building_permit", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    data = answer.get_json()
    assert (data["process"], data["version"], data["versions"]) == ("building_permit", 1, [1])
    found = {e["element"]: (e["count"], e["median_wait_hours"], e["median_work_hours"]) for e in data["elements"]}
    assert found == _independent(rt)
    assert found["triage"][0] == 7  # six cases triaged once, one again after its supplement
    triage = next(e for e in data["elements"] if e["element"] == "triage")
    assert triage["name"] == "Triage application" and triage["name_sv"] != triage["name"]


def test_the_heatmap_refuses_a_missing_process_and_an_unknown_version(rt, client):
    headers = manager_headers(rt)
    missing = client.get("/api/insight/heatmap", headers=headers)
    assert missing.status_code == 422 and missing.get_json()["errors"][0]["field"] == "process"
    assert client.get("/api/insight/heatmap?process=building_permit&version=9", headers=headers).status_code == 404
    bad = client.get("/api/insight/heatmap?process=building_permit&version=two", headers=headers)
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "version"


def test_officers_may_not_read_the_heatmap(client, actors):
    answer = client.get("/api/insight/heatmap?process=building_permit", headers=actors.headers("officer"))
    assert answer.status_code == 403


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_the_heatmap_colours_the_tasks_on_the_deployed_diagram(page, rt, client, actors):
    walk(Api(client, actors))
    browser_login(page, "process_owner")
    page.goto("/insight/heatmap?process=building_permit&version=1")
    expect(page.locator("[data-heatmap][data-ready='true']")).to_have_count(1)
    triage = page.locator(".heat-badge[data-element='triage']")
    expect(triage).to_contain_text("n=7")
    expect(page.locator("g.djs-element[data-element-id='triage'].heat-0, g.djs-element[data-element-id='triage']"
                        "[class*='heat-']")).not_to_have_count(0)
    assert page.js_errors == []


def _triage_row(rt, case_id):
    with rt.db.unit_of_work(write=False) as session:
        return session.execute(text(
            "SELECT id, created_at, claimed_at, completed_at, process_version_id, wait_seconds, work_seconds "
            "FROM human_task WHERE case_id = :c AND element_id = 'triage'"), {"c": case_id}).one()


def _moment(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def test_a_task_moved_back_leaves_the_heatmap_until_it_is_completed_again(api, rt, client):
    headers = manager_headers(rt)

    def triage_count():
        elements = client.get("/api/insight/heatmap?process=building_permit", headers=headers).get_json()["elements"]
        return next((e["count"] for e in elements if e["element"] == "triage"), 0)

    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id=case_id)
    task_id, created, claimed, completed, version_id, wait, work = _triage_row(rt, case_id)
    assert version_id is not None and triage_count() == 1
    assert wait == round((_moment(claimed) - _moment(created)).total_seconds(), 3)
    assert work == round((_moment(completed) - _moment(claimed)).total_seconds(), 3)

    moved = api.as_("admin").post(f"/api/admin/cases/{case_id}/move-back", {"task": task_id, "reason": "Fel spår."})
    assert moved.status_code == 200
    assert _triage_row(rt, case_id)[4:] == (None, None, None) and triage_count() == 0
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id=case_id)
    assert _triage_row(rt, case_id)[5] is not None and triage_count() == 1


def test_the_upgrade_back_fills_the_times_of_tasks_completed_before_it(api, rt, client):
    import importlib.util

    from app.config import PROJECT_ROOT

    walk(api)
    headers = manager_headers(rt)
    before = client.get("/api/insight/heatmap?process=building_permit", headers=headers).get_json()
    path = PROJECT_ROOT / "migrations" / "versions" / "0026_task_wait_work_seconds.py"
    spec = importlib.util.spec_from_file_location("task_times_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with rt.db.write_engine.begin() as conn:
        stamped = conn.execute(text("SELECT id, process_version_id, wait_seconds, work_seconds FROM human_task "
                                    "WHERE wait_seconds IS NOT NULL ORDER BY id")).all()
        conn.execute(text("UPDATE human_task SET process_version_id = NULL, wait_seconds = NULL, work_seconds = NULL"))
    assert client.get("/api/insight/heatmap?process=building_permit", headers=headers).get_json()["elements"] == []
    with rt.db.write_engine.begin() as conn:
        migration.backfill(conn)
        filled = conn.execute(text("SELECT id, process_version_id, wait_seconds, work_seconds FROM human_task "
                                   "WHERE wait_seconds IS NOT NULL ORDER BY id")).all()
    assert len(filled) == len(stamped) > 10
    for (tid, version, wait, work), (fid, fversion, fwait, fwork) in zip(stamped, filled, strict=True):
        assert (tid, version) == (fid, fversion)
        assert abs(wait - fwait) < 0.002 and abs(work - fwork) < 0.002
    assert client.get("/api/insight/heatmap?process=building_permit", headers=headers).get_json() == before
