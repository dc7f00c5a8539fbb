"""Referrals per department: each referral goes to its own department's group, chosen at triage from the groups
marked as referral departments."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Incident
from app.services import users as user_service
from tests.helpers import TRIAGE_COMPLETE, Api


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


@pytest.fixture
def tore(rt, actors) -> dict:
    """A traffic engineer: in the trafik group only."""
    with rt.db.unit_of_work() as s:
        user = user_service.create_user(s, username="tore", roles=[], groups=["trafik"], password="password1")
        return {"Authorization": f"Bearer {user_service.issue_token(s, user)}"}


def refer(api, case_id: int, departments: list[str]) -> None:
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "standard", "referrals": departments},
                                    case_id)
    api.as_("officer").complete("review", {"assessment": "Förenligt med planen.", "referrals": departments}, case_id)


def test_a_referral_to_miljo_reaches_only_the_miljo_group(api, client, tore):
    case_id = api.as_("applicant").submit(measure="nybyggnad")["id"]
    refer(api, case_id, ["miljo"])
    [task] = api.as_("referee").tasks("answer_referral", case_id)  # rita is in miljö (and trafik)
    assert (task["group"], task["title"]) == ("miljo", "Answer referral — Environment")
    assert [t for t in client.get("/api/tasks", headers=tore).get_json() if t["case_id"] == case_id] == []
    r = client.post(f"/api/tasks/{task['id']}/complete", json={"data": {"statement": "OK", "objection": False}},
                    headers=tore)
    assert r.status_code == 403 and "miljo" in r.get_json()["message"]
    assert api.as_("officer").tasks("answer_referral", case_id) == []
    api.as_("referee").complete("answer_referral", {"statement": "Inget att erinra.", "objection": False}, case_id)
    assert [t["name"] for t in api.as_("officer").tasks(case_id=case_id)] == ["draft_decision"]


def test_two_departments_each_get_their_own_task(api, client, tore):
    case_id = api.as_("applicant").submit(measure="nybyggnad")["id"]
    refer(api, case_id, ["miljo", "trafik"])
    mine = [t for t in client.get("/api/tasks", headers=tore).get_json() if t["case_id"] == case_id]
    assert [(t["group"], t["title"]) for t in mine] == [("trafik", "Answer referral — Traffic")]
    r = client.post(f"/api/tasks/{mine[0]['id']}/complete",
                    json={"data": {"statement": "Utfarten ska flyttas.", "objection": True}}, headers=tore)
    assert r.status_code == 200
    assert [t["group"] for t in api.as_("referee").tasks("answer_referral", case_id)] == ["miljo"]


def test_triage_offers_the_referral_departments_and_refuses_other_groups(api):
    api.as_("admin").post("/api/admin/groups", {"name": "raddning", "title_sv": "Räddningstjänst",
                                                "title_en": "Fire and rescue", "referral_department": True})
    case_id = api.as_("applicant").submit(measure="nybyggnad")["id"]
    [triage] = api.as_("coordinator").tasks("triage", case_id)
    choices = triage["form"]["schema"]["properties"]["referrals"]["items"]["oneOf"]
    assert {(c["const"], c["x-title-sv"]) for c in choices} >= {("miljo", "Miljö"), ("raddning", "Räddningstjänst")}
    assert "officer" not in {c["const"] for c in choices}
    r = api.as_("coordinator").post(f"/api/tasks/{triage['id']}/complete",
                                    {"data": TRIAGE_COMPLETE | {"track": "standard", "referrals": ["officer"]}})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "referrals.0"


def test_a_referral_to_a_department_retired_meanwhile_waits_as_an_incident_until_it_is_back(api, rt):
    case_id = api.as_("applicant").submit(measure="nybyggnad")["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "standard", "referrals": ["trafik"]},
                                    case_id)
    admin = api.as_("admin")
    admin.client.delete("/api/admin/groups/trafik", headers=admin.headers)
    [review] = api.as_("officer").tasks("review", case_id)
    r = api.as_("officer").post(f"/api/tasks/{review['id']}/complete",
                                {"data": {"assessment": "OK.", "referrals": ["trafik"]}})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "referrals.0"  # no longer offered
    r = api.as_("officer").post(f"/api/tasks/{review['id']}/complete", {"data": {"assessment": "OK."}})
    assert r.status_code == 500 and "the group 'trafik', which does not exist or is retired" in r.get_json()["message"]
    assert api.as_("officer").tasks("review", case_id)  # nothing was lost: the review is still open
    with rt.db.unit_of_work(write=False) as s:
        incident = s.scalar(select(Incident).where(Incident.case_id == case_id))
        incident_id, element = incident.id, incident.element_id
    assert element == "answer_referral"
    admin.client.patch("/api/admin/groups/trafik", json={"retired": False}, headers=admin.headers)
    assert admin.post(f"/api/admin/tasks/{incident_id}/retry").status_code == 200
    assert [t["group"] for t in api.as_("referee").tasks("answer_referral", case_id)] == ["trafik"]
