"""A case staff start for the municipality's own work has no applicant: no cards for writing to one, and when it
ends it is finished, not decided."""
from __future__ import annotations

import re

import pytest

from tests.helpers import Api
from tests.test_any_process import deploy, mini
from tests.test_web import Browser


@pytest.fixture
def started(app, client, actors):
    """A case of a process without statutory rules, started by a coordinator (no applicant), and their browser."""
    assert deploy(client, actors, mini()).status_code == 201
    carl = Browser(app)
    carl.login("carl")
    r = carl.post_form("/cases/new/mini", "/cases/new/mini", {})
    assert r.status_code == 302
    case_id = int(re.search(r"/cases/(\d+)", r.headers["Location"]).group(1))
    return carl, case_id


def test_a_case_without_an_applicant_offers_no_one_to_write_to(started, client, actors):
    carl, case_id = started
    page = carl.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Ärendet har ingen sökande, så det finns ingen att skriva till." in page
    assert 'id="contact"' not in page and "Sökandens kontaktperson" not in page
    assert 'name="text"' not in page and "Svara sökanden" not in page
    task = Api(client, actors).as_("coordinator").tasks(case_id=case_id)[0]
    task_page = carl.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "Ärendet har ingen sökande" in task_page and "Svara sökanden" not in task_page
    r = Api(client, actors).as_("coordinator").post(f"/api/cases/{case_id}/conversation", {"text": "Hej"})
    assert r.status_code == 409 and "no applicant" in r.get_json()["message"]


def test_a_finished_case_of_a_process_that_is_no_permit_matter_reads_finished(started, client, actors):
    carl, case_id = started
    Api(client, actors).as_("coordinator").complete("check", {"ok": True}, case_id)
    page = carl.get(f"/cases/{case_id}").get_data(as_text=True)
    assert '<span class="badge status-decided">Avslutat</span>' in page and "Beslutad" not in page
    assert '<span class="badge status-decided">Avslutat</span>' in carl.get("/cases?status=decided").get_data(
        as_text=True)
