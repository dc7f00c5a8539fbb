"""The organisation as data: groups are rows an administrator manages; tasks go to groups, rights stay roles."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.models import AuditEvent
from app.services import groups as group_service
from app.services import users as user_service
from app.services.errors import InvalidInput
from tests.bundles import LETTERS, MINI_BPMN
from tests.helpers import Api

NORR = {"name": "Bygglov Norr", "title_sv": "Bygglov Norr", "title_en": "Building permits North"}


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def deploy(client, actors, files: dict[str, str]):
    data = {"files": [(io.BytesIO(t.encode()), n) for n, t in files.items()], "message": "test"}
    return client.post("/api/process-models", data=data, headers=actors.headers("process_owner"),
                       content_type="multipart/form-data")


def north_bundle(lane: str = "Bygglov Norr") -> dict[str, str]:
    bpmn = (MINI_BPMN.replace('name="Coordinator"', f'name="{lane}"').replace('id="mini"', 'id="north"')
            .replace('processRef="mini"', 'processRef="north"').replace("SCRIPT", "x = 1")
            .replace("OPERATION", "register_case"))
    return {"north.bpmn": bpmn, "forms/check.json": '{"type": "object", "properties": {"ok": {"type": "boolean"}}}',
            **LETTERS}


def test_administrator_creates_a_group_and_puts_an_officer_in_it(api):
    admin = api.as_("admin")
    r = admin.post("/api/admin/groups", NORR)
    assert r.status_code == 201 and r.get_json() == NORR | {"referral_department": False, "retired": False,
                                                             "members": []}
    r = admin.post("/api/admin/groups/Bygglov Norr/members", {"username": "olga"})
    assert r.status_code == 201 and r.get_json()["members"] == ["olga"]
    listed = {g["name"]: g for g in admin.get("/api/admin/groups").get_json()}
    assert listed["Bygglov Norr"]["members"] == ["olga"] and listed["officer"]["members"] == ["olga"]
    assert {g["name"] for g in api.as_("officer").get("/api/me/groups").get_json()} == {"Bygglov Norr", "officer"}


def test_only_administrators_manage_groups(api):
    for role in ("officer", "process_owner", "applicant"):
        assert api.as_(role).post("/api/admin/groups", NORR).status_code == 403
        assert api.as_(role).get("/api/admin/groups").status_code == 403
        assert api.as_(role).post("/api/admin/groups/officer/members", {"username": "anna"}).status_code == 403


@pytest.mark.parametrize("body, field, message", [
    ({"title_sv": "A", "title_en": "A"}, "name", "is required"),
    ({"name": "Norr, Syd", "title_sv": "A", "title_en": "A"}, "name", "letters, digits, spaces"),
    ({"name": "x" * 41, "title_sv": "A", "title_en": "A"}, "name", "1–40 characters"),
    ({"name": "admin", "title_sv": "A", "title_en": "A"}, "name", "is a role (a right), not a group"),
    ({"name": "norr", "title_sv": "A" * 201, "title_en": "A"}, "title_sv", "at most 200 characters"),
    ({"name": "norr", "title_sv": " ", "title_en": "A"}, "title_sv", "is required"),
    ({"name": "norr", "title_sv": "A", "title_en": "A", "referral_department": "yes"}, "referral_department",
     "must be true or false"),
    ({"name": "norr", "title_sv": "A", "title_en": "A", "colour": "red"}, "colour", "is not a known field"),
])
def test_a_group_with_bad_fields_is_refused_naming_the_field(api, body, field, message):
    r = api.as_("admin").post("/api/admin/groups", body)
    assert r.status_code == 422
    assert any(e["field"] == field and message in e["message"] for e in r.get_json()["errors"]), r.get_json()


def test_a_group_name_is_taken_whatever_its_letter_case(api):
    assert api.as_("admin").post("/api/admin/groups", NORR).status_code == 201
    r = api.as_("admin").post("/api/admin/groups", NORR | {"name": "BYGGLOV NORR"})
    assert r.status_code == 409 and "'Bygglov Norr' already exists" in r.get_json()["message"]


def test_members_join_and_leave_and_every_change_is_audited(api, rt):
    admin = api.as_("admin")
    admin.post("/api/admin/groups", NORR)
    admin.post("/api/admin/groups/bygglov norr/members", {"username": "olga"})
    admin.post("/api/admin/groups/bygglov norr/members", {"username": "carl"})
    r = admin.client.delete("/api/admin/groups/Bygglov Norr/members", json={"username": "olga"},
                            headers=admin.headers)
    assert r.status_code == 200 and r.get_json()["members"] == ["carl"]
    r = admin.client.delete("/api/admin/groups/Bygglov Norr/members/carl", headers=admin.headers)
    assert r.get_json()["members"] == []
    assert admin.post("/api/admin/groups/Bygglov Norr/members", {"username": "nobody"}).status_code == 404
    assert admin.client.delete("/api/admin/groups/Bygglov Norr/members/carl", headers=admin.headers).status_code == 404
    assert admin.post("/api/admin/groups/Söder/members", {"username": "olga"}).status_code == 404
    with rt.db.unit_of_work(write=False) as s:
        actions = [(e.action, e.details.get("username")) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.action.like("group.%")).order_by(AuditEvent.id))]
    assert actions[-5:] == [("group.created", None), ("group.member_added", "olga"), ("group.member_added", "carl"),
                            ("group.member_removed", "olga"), ("group.member_removed", "carl")]


def test_rename_and_retire_a_group(api, client, actors):
    admin = api.as_("admin")
    admin.post("/api/admin/groups", NORR)
    r = admin.client.patch("/api/admin/groups/Bygglov Norr", json={"title_sv": "Bygglov Nord"}, headers=admin.headers)
    assert r.status_code == 200 and (r.get_json()["title_sv"], r.get_json()["title_en"]) == \
        ("Bygglov Nord", "Building permits North")
    r = admin.client.patch("/api/admin/groups/Bygglov Norr", json={"name": "other"}, headers=admin.headers)
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "name"
    r = admin.client.delete("/api/admin/groups/Bygglov Norr", headers=admin.headers)
    assert r.status_code == 200 and r.get_json()["retired"] is True
    # a retired group gets no new work: a diagram may no longer name it
    r = deploy(client, actors, north_bundle())
    assert r.status_code == 422 and "'Bygglov Norr' is not a known group" in r.get_json()["errors"][0]["message"]
    admin.client.patch("/api/admin/groups/Bygglov Norr", json={"retired": False}, headers=admin.headers)
    assert deploy(client, actors, north_bundle()).status_code == 201


def test_a_lane_naming_an_unknown_group_says_which_group_to_create(client, actors):
    r = deploy(client, actors, north_bundle())
    assert r.status_code == 422
    [problem] = r.get_json()["errors"]
    assert problem["element"] == "lane_coordinator"
    assert "create the group 'Bygglov Norr' (Administration → Groups)" in problem["message"]


def test_a_lane_may_name_a_group_by_its_title_and_the_deploy_fixes_which_group(api, client, actors, rt):
    api.as_("admin").post("/api/admin/groups", {"name": "norr", "title_sv": "Bygglov Norr", "title_en": "North"})
    assert deploy(client, actors, north_bundle("bygglov  NORR")).status_code == 201
    api.as_("admin").client.patch("/api/admin/groups/norr", json={"title_sv": "Norra bygglov"},
                                  headers=api.as_("admin").headers)
    with rt.db.unit_of_work(write=False) as s:
        from app.services.processes import latest_version

        assert latest_version(s, "north").properties["lanes"] == {"bygglov  NORR": "norr"}


def test_roles_are_rights_and_groups_are_work(rt):
    with rt.db.unit_of_work() as s:
        with pytest.raises(InvalidInput) as refused:
            user_service.create_user(s, username="x", roles=["officer"], password="p" * 8)
        assert "officer is a group, not a role" in refused.value.errors[0]["message"]
        user = user_service.create_user(s, username="maja", roles=["manager"], groups=["officer", "miljo"],
                                        password="p" * 8)
        assert user.roles == {"manager"} and user.work_groups == {"miljo", "officer"} and user.is_staff
        applicant = user_service.create_user(s, username="sven", roles=["applicant"], password="p" * 8)
        assert applicant.work_groups == set() and not applicant.is_staff


def test_a_user_loaded_for_a_request_still_knows_its_groups_when_detached(rt, actors):
    with rt.db.unit_of_work(write=False) as s:
        user = user_service.find_user(s, "rita")
        s.expunge(user)
    assert user.work_groups == {"miljo", "trafik"}


def test_group_notices_reach_the_members_of_that_group(rt, actors):
    with rt.db.unit_of_work() as s:
        group_service.add_member(s, actor=None, name="miljo", username="carl")
        assert group_service.member_emails(s, "miljo") == ["carl@example.se", "rita@example.se"]
        assert group_service.member_emails(s, "nope") == []
