"""The inbox in pages: every open task exactly once, in the chosen order, at a cost that does not grow per row."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import event, select

from app.models import Case, HumanTask
from app.models.task import NO_DEADLINE
from tests.helpers import Api
from tests.test_web import Browser


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def submit(api: Api, n: int) -> list[int]:
    return [api.as_("applicant").submit(property_designation=f"Sidan {i}:1")["id"] for i in range(n)]


def next_link(response) -> str | None:
    found = re.match(r'<([^>]+)>; rel="next"', response.headers.get("Link", ""))
    return found.group(1) if found else None


def all_pages(api: Api, path: str) -> list[list[dict]]:
    pages = []
    while path:
        r = api.as_("coordinator").get(path)
        assert r.status_code == 200, r.get_json()
        pages.append(r.get_json())
        path = next_link(r)
    return pages


def test_a_coordinator_pages_through_every_open_task_once_oldest_first(api):
    cases = submit(api, 7)
    pages = all_pages(api, "/api/tasks?limit=3")
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [t["case_id"] for p in pages for t in p] == cases
    assert all(t["form"] is None for p in pages for t in p)  # defaults only when a task is opened
    [opened] = api.as_("coordinator").tasks(case_id=cases[0])
    assert opened["form"]["schema"]["properties"]["track"]["default"] == "simple"


def test_newest_first_pages_run_backwards_and_keep_the_filter(api):
    cases = submit(api, 5)
    pages = all_pages(api, "/api/tasks?limit=2&sort=newest&name=triage")
    assert [t["case_id"] for p in pages for t in p] == cases[::-1]
    assert all_pages(api, "/api/tasks?limit=2&name=no_such_task") == [[]]


def test_closest_deadline_first_follows_a_deadline_that_changes_later(api, rt):
    cases = submit(api, 4)
    with rt.db.unit_of_work() as session:
        session.get(Case, cases[2]).statutory_due = date(2020, 1, 10)
        session.get(Case, cases[3]).statutory_due = date(2020, 1, 5)
    pages = all_pages(api, "/api/tasks?limit=3&sort=deadline")
    assert [t["case_id"] for p in pages for t in p] == [cases[3], cases[2], cases[0], cases[1]]
    with rt.db.unit_of_work() as session:  # the clock stops for case 3: it goes to the end, with the others
        session.get(Case, cases[3]).statutory_due = None
    with rt.db.unit_of_work(write=False) as session:
        assert session.get(HumanTask, api.as_("coordinator").tasks(case_id=cases[3])[0]["id"]).sort_due == NO_DEADLINE
    pages = all_pages(api, "/api/tasks?limit=3&sort=deadline")
    assert [t["case_id"] for p in pages for t in p] == [cases[2], cases[0], cases[1], cases[3]]


@pytest.mark.parametrize("query, field", [("after=not-a-cursor", "after"), ("limit=0", "limit"),
                                          ("limit=501", "limit"), ("limit=ten", "limit"), ("sort=random", "sort")])
def test_a_bad_page_request_is_refused_naming_what_is_wrong(api, query, field):
    r = api.as_("coordinator").get(f"/api/tasks?{query}")
    assert r.status_code == 422
    assert [e["field"] for e in r.get_json()["errors"]] == [field]


def test_a_cursor_from_another_sort_is_refused(api):
    submit(api, 2)
    cursor = next_link(api.as_("coordinator").get("/api/tasks?limit=1&sort=oldest")).split("after=")[1]
    r = api.as_("coordinator").get(f"/api/tasks?limit=1&sort=deadline&after={cursor}")
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "after"


def test_a_page_costs_the_same_statements_with_three_tasks_or_twelve(api, rt):
    def statements_for_one_page() -> int:
        count = []

        def listener(*_args):
            count.append(1)

        engines = {rt.db.read_engine, rt.db.write_engine}
        for engine in engines:
            event.listen(engine, "before_cursor_execute", listener)
        try:
            assert api.as_("coordinator").get("/api/tasks?limit=50").status_code == 200
        finally:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", listener)
        return len(count)

    submit(api, 3)
    few = statements_for_one_page()
    submit(api, 9)
    assert statements_for_one_page() == few


def test_the_inbox_page_shows_the_chosen_number_of_tasks_and_a_next_page(app, api, actors):
    cases = submit(api, 5)
    web = Browser(app)
    web.login("carl")
    first = web.get("/inbox?size=25&sort=oldest").get_data(as_text=True)
    assert "Nästa sida" not in first and len(re.findall(r'<tr data-task=', first)) == 5
    seen = []
    url = "/inbox?sort=oldest&size=25"
    small = web.get(url.replace("size=25", "size=2")).get_data(as_text=True)
    assert 'id="next-page"' in small and "Nästa sida" in small and "Första sidan" not in small
    url = url.replace("size=25", "size=2")
    while url:
        html = web.get(url).get_data(as_text=True)
        seen += [int(c) for c in re.findall(r'<tr data-task="[^"]+" data-element="[^"]+" data-case="(\d+)"', html)]
        found = re.search(r'<a href="([^"]+)" class="button" rel="next"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == cases
    assert "Första sidan" in html  # the last page links back to the first


def test_a_stale_next_page_link_shows_the_first_page(app, api, actors):
    submit(api, 2)
    web = Browser(app)
    web.login("carl")
    r = web.get("/inbox?after=garbage")
    assert r.status_code == 200 and len(re.findall(r'<tr data-task=', r.get_data(as_text=True))) == 2


def test_tasks_that_became_ready_at_the_same_moment_are_both_on_the_pages(api, rt):
    cases = submit(api, 3)
    with rt.db.unit_of_work() as session:  # e.g. parallel referrals, made ready in one step
        tasks = [session.scalars(select(HumanTask).where(HumanTask.case_id == c)).one() for c in cases]
        for task in tasks[1:]:
            task.created_at = tasks[0].created_at
        expected = [t.case_id for t in sorted(tasks, key=lambda t: t.id)]
    for sort in ("oldest", "newest", "deadline"):
        pages = all_pages(api, f"/api/tasks?limit=1&sort={sort}")
        listed = [t["case_id"] for p in pages for t in p]
        assert listed == (expected[::-1] if sort == "newest" else expected), sort
