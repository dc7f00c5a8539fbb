"""The heatmap: per task of a deployed version, how many were done, the median wait and the median work."""
from __future__ import annotations

import statistics
from datetime import datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from tests.helpers import Api, browser_login
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
