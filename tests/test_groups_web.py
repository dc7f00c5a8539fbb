"""The administrator's group pages and the inbox's group filter, as people use them (server-rendered)."""
from __future__ import annotations

import pytest

from tests.helpers import TRIAGE_COMPLETE, Api
from tests.test_web import Browser


@pytest.fixture
def admin(app, actors):
    browser = Browser(app)
    browser.login("adam")
    return browser


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def test_administrator_creates_a_group_adds_an_officer_renames_and_retires_it(admin, api):
    r = admin.post_form("/admin/groups/", "/admin/groups/", {
        "name": "Bygglov Norr", "title_sv": "Bygglov Norr", "title_en": "Building permits North"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/groups/Bygglov%20Norr")
    page = admin.get("/admin/groups/Bygglov Norr").get_data(as_text=True)
    assert "Nobody is in this group yet" in page or "Ingen är med i gruppen" in page
    admin.post_form("/admin/groups/Bygglov Norr", "/admin/groups/Bygglov Norr/members", {"username": "olga"})
    page = admin.get("/admin/groups/Bygglov Norr").get_data(as_text=True)
    assert 'data-user="olga"' in page
    admin.post_form("/admin/groups/Bygglov Norr", "/admin/groups/Bygglov Norr",
                    {"title_sv": "Bygglov Nord", "title_en": "Building permits North"})
    admin.post_form("/admin/groups/Bygglov Norr", "/admin/groups/Bygglov Norr/retire", {})
    [group] = [g for g in api.as_("admin").get("/api/admin/groups").get_json() if g["name"] == "Bygglov Norr"]
    assert (group["title_sv"], group["retired"], group["members"]) == ("Bygglov Nord", True, ["olga"])
    listing = admin.get("/admin/groups/").get_data(as_text=True)
    assert 'data-group="Bygglov Norr" class="muted"' in listing


def test_a_refused_group_is_shown_again_with_the_reason_beside_the_field(admin):
    r = admin.post_form("/admin/groups/", "/admin/groups/", {"name": "Officer", "title_sv": "X", "title_en": "X"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and 'value="Officer"' in page and "Det finns redan en grupp med det namnet" in page
    r = admin.post_form("/admin/groups/", "/admin/groups/", {"name": "admin", "title_sv": "X", "title_en": ""})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and page.count('class="error"') == 2


def test_only_administrators_see_the_group_pages(app, actors):
    browser = Browser(app)
    browser.login("olga")
    assert browser.get("/admin/groups/").status_code == 403


def test_the_inbox_shows_all_my_groups_tasks_and_filters_by_group(app, api):
    first = api.as_("applicant").submit(measure="nybyggnad")["id"]
    second = api.as_("applicant").submit(measure="nybyggnad")["id"]
    for case_id, department in ((first, "miljo"), (second, "trafik")):
        api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "standard",
                                                                     "referrals": [department]}, case_id)
        api.as_("officer").complete("review", {"assessment": "OK."}, case_id)
    rita = Browser(app)
    rita.login("rita")  # in miljö and trafik
    page = rita.get("/inbox").get_data(as_text=True)
    assert page.count('data-element="answer_referral"') == 2 and 'id="group"' in page
    page = rita.get("/inbox?group=miljo").get_data(as_text=True)
    assert page.count('data-element="answer_referral"') == 1 and f'data-case="{first}"' in page
    assert f'data-case="{second}"' not in page
    assert api.as_("referee").get("/api/tasks?group=officer").status_code == 422
    assert [t["case_id"] for t in api.as_("referee").get("/api/tasks?group=trafik").get_json()] == [second]


def test_one_group_needs_no_group_filter(app, actors):
    carl = Browser(app)
    carl.login("carl")
    assert 'id="group"' not in carl.get("/inbox").get_data(as_text=True)
