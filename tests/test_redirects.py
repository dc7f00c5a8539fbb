"""Redirects whose target comes from the request stay on this site."""
from __future__ import annotations

import pytest

from app.redirects import same_site_path
from tests.helpers import TRIAGE_COMPLETE, Api, Browser

OFF_SITE = [
    "//evil.example/", "/\t/evil.example/", "/\n/evil.example/", "/\r/evil.example/", "/\\evil.example/",
    "\\\\evil.example", "https://evil.example/", "http:/evil.example", "javascript:alert(1)", "evil.example",
    " /inbox", "/ /evil.example", "/\x00/evil.example", "", None,
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_targets_that_a_browser_could_read_as_another_site_are_refused(target):
    assert same_site_path(target) is None


@pytest.mark.parametrize("target", ["/inbox", "/cases/12?tab=history", "/portal/cases/3#documents", "/"])
def test_plain_paths_on_this_site_are_kept(target):
    assert same_site_path(target) == target


@pytest.fixture
def browser(app):
    return Browser(app)


def test_login_with_a_tab_smuggled_into_next_lands_on_the_inbox_not_off_site(browser, actors):
    r = browser.login("carl", next_path="/\t/evil.example/")
    assert r.status_code == 302 and r.headers["Location"] == "/inbox"


def test_login_follows_a_next_path_on_this_site(browser, actors):
    r = browser.login("carl", next_path="/cases?q=Tallen")
    assert r.headers["Location"] == "/cases?q=Tallen"


def test_claiming_a_task_goes_back_only_to_a_page_of_this_site(browser, actors, client):
    api = Api(client, actors)
    case = api.as_("applicant").submit()
    [task] = api.as_("coordinator").tasks("triage", case["id"])
    browser.login("carl")
    page = f"/tasks/{task['id']}"
    r = browser.post_form(page, f"{page}/claim", {}, headers={"Referer": "https://evil.example/phish"})
    assert r.status_code == 302 and r.headers["Location"] == page
    api.as_("coordinator").post(f"/api/tasks/{task['id']}/release")
    r = browser.post_form(page, f"{page}/claim", {}, headers={"Referer": "http://localhost/inbox?sort=due"})
    assert r.headers["Location"] == "/inbox?sort=due"


def test_a_refused_action_goes_back_to_the_referring_page_only_on_this_site(browser, actors, client):
    api = Api(client, actors)
    case = api.as_("applicant").submit()
    [task] = api.as_("coordinator").tasks("triage", case["id"])
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case["id"])
    browser.login("carl")
    claim = f"/tasks/{task['id']}/claim"
    r = browser.post_form("/inbox", claim, {}, headers={"Referer": "https://evil.example/"})
    assert r.status_code == 409 and "Location" not in r.headers
    r = browser.post_form("/inbox", claim, {}, headers={"Referer": "http://localhost/inbox"})
    assert r.status_code == 302 and r.headers["Location"] == "/inbox"


def test_switching_language_returns_to_the_page_only_on_this_site(browser, actors):
    browser.login("carl")
    r = browser.post_form("/inbox", "/lang/en", {}, headers={"Referer": "https://evil.example/"})
    assert r.headers["Location"] == "/"
    r = browser.post_form("/inbox", "/lang/sv", {}, headers={"Referer": "http://localhost/cases"})
    assert r.headers["Location"] == "/cases"
