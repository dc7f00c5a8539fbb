"""Date fields are written the Swedish way (ÅÅÅÅ-MM-DD) in the Swedish UI, whatever the browser's language."""
from __future__ import annotations

import re

import pytest

from tests.helpers import Api, reply_by
from tests.test_web import Browser, csrf


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def date_field(html: str, name: str) -> str:
    return re.search(rf'<input id="f-{name}" name="{name}"[^>]*>', html).group(0)


def test_a_date_field_in_swedish_is_written_year_month_day_and_in_english_uses_the_date_picker(app, api):
    case_id = api.as_("applicant").submit()["id"]
    [task] = api.as_("coordinator").tasks("triage", case_id)
    carl = Browser(app)
    carl.login("carl")
    swedish = carl.client.get(f"/tasks/{task['id']}", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    field = date_field(swedish, "reply_by")
    assert 'type="text"' in field and 'placeholder="ÅÅÅÅ-MM-DD"' in field and 'inputmode="numeric"' in field
    english = carl.client.get(f"/tasks/{task['id']}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'type="date"' in date_field(english, "reply_by")


def test_a_date_typed_the_swedish_way_is_taken(app, api):
    case_id = api.as_("applicant").submit()["id"]
    [task] = api.as_("coordinator").tasks("triage", case_id)
    carl = Browser(app)
    carl.login("carl")
    page = carl.client.get(f"/tasks/{task['id']}", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    form = {"case_type": "bygglov", "track": "simple", "neighbours_required": "false", "complete": "false",
            "supplement_request": "Situationsplan saknas.", "reply_by": reply_by(), "csrf_token": csrf(page)}
    r = carl.client.post(f"/tasks/{task['id']}/complete", data=form, headers={"Accept-Language": "sv"})
    assert r.status_code in (302, 303), r.get_data(as_text=True)[:500]
    facts = api.as_("officer").case(case_id)
    assert facts["status"] == "awaiting_supplement"
