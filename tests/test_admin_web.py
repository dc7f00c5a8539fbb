"""Administration pages: find a case, see what happened, repair it; audit; users."""
from __future__ import annotations

import re

import pytest

from tests.helpers import TRIAGE_COMPLETE, Api
from tests.test_web import Browser, csrf


@pytest.fixture
def admin(app, actors):
    browser = Browser(app)
    browser.login("adam")
    return browser


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def test_only_administrators_see_the_admin_pages(app, actors):
    for user in ("carl", "anna", "petra"):
        browser = Browser(app)
        browser.login(user)
        assert browser.get("/admin/").status_code == 403
        assert browser.get("/admin/audit").status_code == 403


def test_find_a_case_and_see_its_path_events_and_who_did_what(admin, api):
    case_id = api.as_("applicant").submit(property_designation="Umeå Granen 7:3")["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    page = admin.get("/admin/?q=Granen").get_data(as_text=True)
    assert f'/admin/cases/{case_id}' in page
    page = admin.get(f"/admin/cases/{case_id}").get_data(as_text=True)
    markers = re.search(r'id="case-markers">(.*?)</script>', page, re.S).group(1)
    assert '"triage": 1' in markers and '"active": ["coordinator_decision"]' in markers
    assert "task.completed" in page and "carl" in page and "engine.handler_called" in page
    xml = admin.get(f"/admin/cases/{case_id}/diagram.bpmn")
    assert xml.status_code == 200 and b'id="building_permit"' in xml.data


def test_suspend_and_resume_from_the_case_page(admin, api):
    case_id = api.as_("applicant").submit()["id"]
    page = admin.get(f"/admin/cases/{case_id}").get_data(as_text=True)
    r = admin.client.post(f"/admin/cases/{case_id}/suspend", data={"reason": "Kontroll", "csrf_token": csrf(page)})
    assert r.status_code == 302
    page = admin.get(f"/admin/cases/{case_id}").get_data(as_text=True)
    assert "Suspended" in page or "Vilande" in page
    admin.client.post(f"/admin/cases/{case_id}/resume", data={"reason": "Klart", "csrf_token": csrf(page)})
    assert 'data-op="suspend"' in admin.get(f"/admin/cases/{case_id}").get_data(as_text=True)


def test_audit_search_export_and_verify_pages(admin, api):
    api.as_("applicant").submit()
    page = admin.get("/admin/audit?actor=anna").get_data(as_text=True)
    assert "case.submitted" in page
    export = admin.get("/admin/audit?actor=anna&format=csv")
    assert export.status_code == 200 and "case.submitted" in export.get_data(as_text=True)
    assert 'id="verify-result"' in admin.get("/admin/audit?verify=1").get_data(as_text=True)


def test_users_page_creates_changes_roles_and_deletes(admin, api):
    page = admin.get("/admin/users").get_data(as_text=True)
    r = admin.client.post("/admin/users", data={"username": "frida", "group": ["officer"],
                                                "email": "frida@kommun.example", "csrf_token": csrf(page)})
    assert r.status_code == 302
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "frida" in page
    admin.client.post("/admin/users/frida/roles", data={"role": ["manager"], "csrf_token": csrf(page)})
    admin.client.post("/admin/users/frida/delete", data={"csrf_token": csrf(page)})
    events = api.as_("admin").get("/api/audit?action=user.").get_json()
    assert [e["action"] for e in events if e["details"].get("username") == "frida"] == \
        ["user.created", "user.roles_changed", "user.deleted"]
