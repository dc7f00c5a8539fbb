"""What the Swedish page sweep found: refusals in words, admin tables that read on a phone."""
from __future__ import annotations

import re

import pytest

from tests.helpers import Api, Browser


@pytest.fixture
def triage_task(client, actors) -> str:
    api = Api(client, actors)
    case_id = api.as_("applicant").submit()["id"]
    return api.as_("coordinator").tasks("triage", case_id)[0]["id"]


def test_a_task_of_another_group_is_refused_in_words_naming_the_group(app, triage_task):
    olga = Browser(app)
    olga.login("olga")
    r = olga.get(f"/tasks/{triage_task}")
    page = r.get_data(as_text=True)
    assert r.status_code == 403
    assert "<h1>Ingen åtkomst</h1>" in page and "<title>Ingen åtkomst" in page
    assert "Den här uppgiften är för Byggkoordinator. Fråga någon där" in page
    assert "coordinator group" not in page and "<h1>403</h1>" not in page


def test_the_api_keeps_its_english_message_and_names_the_groups(client, actors, triage_task):
    r = Api(client, actors).as_("officer").post(f"/api/tasks/{triage_task}/complete", {"data": {}})
    assert r.status_code == 403
    assert r.get_json()["message"] == "this task is for the coordinator group" and r.get_json()["groups"] == [
        "coordinator"]


def test_the_users_and_audit_tables_turn_into_labelled_rows_on_a_phone(app, actors):
    adam = Browser(app)
    adam.login("adam")
    users = adam.get("/admin/users").get_data(as_text=True)
    assert '<table class="list stack-on-phone" id="users">' in users
    assert re.search(r'<td data-label="E-post">[^<]*@', users)
    audit = adam.get("/admin/audit?actor=adam").get_data(as_text=True)
    assert '<table class="list stack-on-phone" id="audit-results">' in audit and 'data-label="När"' in audit


@pytest.mark.parametrize("user, path, field", [("adam", "/insight/", "from"), ("adam", "/delegation-decisions", "to")])
def test_date_fields_outside_task_forms_are_written_the_swedish_way_too(app, actors, user, path, field):
    browser = Browser(app)
    browser.login(user)
    page = browser.client.get(path, headers={"Accept-Language": "sv"}).get_data(as_text=True)
    [date] = re.findall(rf'<input[^>]*name="{field}"[^>]*>', page)
    assert 'type="text"' in date and 'placeholder="ÅÅÅÅ-MM-DD"' in date  # a native picker shows the browser's format
    english = browser.client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'type="date"' in re.findall(rf'<input[^>]*name="{field}"[^>]*>', english)[0]


def test_the_studio_names_the_process_by_its_title_with_its_id_beside_it(app, actors):
    petra = Browser(app)
    petra.login("petra")
    page = petra.get("/studio/building_permit/migrate").get_data(as_text=True)
    assert re.search(r'<strong>Bygglov[^<]*</strong> <code class="id-code">building_permit</code>', page)
