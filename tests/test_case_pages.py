"""The case list in pages, newest first, for staff (all cases) and applicants (their own)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from tests.helpers import Api
from tests.test_inbox_pages import next_link
from tests.test_web import Browser


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def pages_of(role_api, path: str) -> list[list[dict]]:
    pages = []
    while path:
        r = role_api.get(path)
        assert r.status_code == 200, r.get_json()
        pages.append(r.get_json())
        path = next_link(r)
    return pages


def test_staff_page_through_every_case_once_newest_first(api):
    cases = [api.as_("applicant").submit()["id"] for _ in range(5)]
    pages = pages_of(api.as_("coordinator"), "/api/cases?limit=2")
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [c["id"] for p in pages for c in p] == cases[::-1]


def test_an_applicant_pages_through_only_their_own_cases(api):
    mine = [api.as_("applicant").submit()["id"] for _ in range(3)]
    api.as_("applicant2").submit()
    assert [c["id"] for p in pages_of(api.as_("applicant"), "/api/cases?limit=2") for c in p] == mine[::-1]


def test_the_status_filter_keeps_to_its_pages_and_an_unknown_status_is_refused(api):
    first = api.as_("applicant").submit()["id"]
    api.as_("applicant").submit()
    api.as_("coordinator").complete("triage", {"case_type": "bygglov", "neighbours_required": False,
                                               "referrals": [], "complete": True, "track": "simple"}, case_id=first)
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."},
                                    case_id=first)
    pages = pages_of(api.as_("coordinator"), "/api/cases?limit=1&status=decided")
    assert [(c["id"], c["status"]) for p in pages for c in p] == [(first, "decided")]
    r = api.as_("coordinator").get("/api/cases?status=lost")
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "status"


def test_a_case_page_costs_the_same_statements_for_two_cases_or_eight(api, rt):
    def statements() -> int:
        count = []

        def listener(*_args):
            count.append(1)

        for engine in {rt.db.read_engine, rt.db.write_engine}:
            event.listen(engine, "before_cursor_execute", listener)
        try:
            assert api.as_("coordinator").get("/api/cases").status_code == 200
        finally:
            for engine in {rt.db.read_engine, rt.db.write_engine}:
                event.remove(engine, "before_cursor_execute", listener)
        return len(count)

    for _ in range(2):
        api.as_("applicant").submit()
    few = statements()
    for _ in range(6):
        api.as_("applicant").submit()
    assert statements() == few


def test_the_case_list_page_links_to_the_next_page_and_back(app, api, actors):
    cases = [api.as_("applicant").submit()["id"] for _ in range(3)]
    web = Browser(app)
    web.login("carl")
    seen, url, html = [], "/cases?size=2", ""
    while url:
        html = web.get(url).get_data(as_text=True)
        seen += [int(c) for c in re.findall(r'<tr data-case="(\d+)"', html)]
        found = re.search(r'<a href="([^"]+)" class="button" rel="next"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == cases[::-1] and "Första sidan" in html
    assert web.get("/cases?status=nonsense").status_code == 200


def test_an_administrator_pages_through_a_case_audit_trail_in_chain_order(api):
    case_id = api.as_("applicant").submit()["id"]
    admin = api.as_("admin")
    whole = admin.get(f"/api/audit?case={case_id}").get_json()
    pages = pages_of(admin, f"/api/audit?case={case_id}&limit=2")
    assert len(whole) > 2 and [e["id"] for p in pages for e in p] == [e["id"] for e in whole]
    assert all(len(p) == 2 for p in pages[:-1])
    r = admin.get("/api/audit?after=minus-one")
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "after"
