"""Administration of integration workers: issue a token, see what waits for workers, revoke."""
from __future__ import annotations

import re

import pytest

from tests.test_external_tasks import FETCH, deploy_archive, start_case
from tests.test_web import Browser


@pytest.fixture
def admin(app, actors):
    browser = Browser(app)
    browser.login("adam")
    return browser


def test_an_administrator_issues_a_token_that_is_shown_once_and_works(admin, client, actors):
    deploy_archive(client, actors)
    case_id = start_case(client, actors)
    r = admin.post_form("/admin/workers/", "/admin/workers/", {"name": "arkivet", "topics": "archive, gis"})
    page = r.get_data(as_text=True)
    assert r.status_code == 201 and "Kopiera den nu" in page  # Swedish by default
    token = re.search(r'<code class="token">([^<]+)</code>', page).group(1)
    assert token.startswith("lotsen_worker_")
    listing = admin.get("/admin/workers/").get_data(as_text=True)
    assert token not in listing and "arkivet" in listing and "<code>gis</code>" in listing
    assert "Archive the application" in listing and f"/admin/cases/{case_id}" in listing  # waiting for a worker
    r = client.post(FETCH, headers={"Authorization": f"Bearer {token}"},
                    json={"workerId": "arkiv-1", "topics": [{"topicName": "archive", "lockDuration": 60_000}]})
    assert r.status_code == 200 and len(r.get_json()) == 1
    case_page = admin.get(f"/admin/cases/{case_id}").get_data(as_text=True)
    assert "Archive the application" in case_page and "arkiv-1" in case_page


def test_a_bad_name_is_refused_beside_the_field_and_a_revoked_token_stops(admin, client):
    r = admin.post_form("/admin/workers/", "/admin/workers/", {"name": "två ord", "topics": ""})
    assert r.status_code == 422 and "använd 1–80 bokstäver" in r.get_data(as_text=True)
    r = admin.post_form("/admin/workers/", "/admin/workers/", {"name": "gis", "topics": ""})
    token = re.search(r'<code class="token">([^<]+)</code>', r.get_data(as_text=True)).group(1)
    r = admin.post_form("/admin/workers/", "/admin/workers/gis/revoke", {})
    assert r.status_code == 302
    r = client.post(FETCH, headers={"Authorization": f"Bearer {token}"},
                    json={"workerId": "g", "topics": [{"topicName": "gis", "lockDuration": 1000}]})
    assert r.status_code == 401


def test_only_administrators_manage_workers(app, actors):
    browser = Browser(app)
    browser.login("petra")
    assert browser.get("/admin/workers/").status_code == 403
