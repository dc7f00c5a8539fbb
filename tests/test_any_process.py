"""Any deployed process can be started: its own start form (or none), who may start it, its reference prefix,
title and list columns, and its rule set all come from the process, not from the building-permit case model."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta, UTC

import pytest

from app.clock import clock
from tests.bundles import FIXTURES, LETTERS, MINI_BPMN
from tests.helpers import Api

NORR = FIXTURES / "norr"
SIGN = {"property_designation": "Luleå Norrstrand 3:7", "sign_text": "Norrbagarn", "lit": True}
NOTIFICATION = {"applicant_name": "Anna Andersson", "applicant_email": "anna@example.se",
                "property_designation": "Umeå Tallen 4:12", "measure": "attefallshus",
                "description": "Attefallshus på 25 m².", "area_m2": 25, "near_boundary": False}


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def deploy(client, actors, files: dict[str, str]):
    data = {"files": [(io.BytesIO(t.encode()), n) for n, t in files.items()], "message": "test"}
    return client.post("/api/process-models", data=data, headers=actors.headers("process_owner"),
                       content_type="multipart/form-data")


def norr_files() -> dict[str, str]:
    return {name.name: name.read_text(encoding="utf-8") for name in NORR.iterdir()}


def with_properties(bpmn: str, process: str, **props) -> str:
    inner = "".join(f'<spiffworkflow:property name="{k}" value="{v}" />' for k, v in props.items())
    return bpmn.replace(f'<bpmn:process id="{process}" isExecutable="true">',
                        f'<bpmn:process id="{process}" isExecutable="true"><bpmn:extensionElements>'
                        f'<spiffworkflow:properties>{inner}</spiffworkflow:properties></bpmn:extensionElements>')


def mini(**props) -> dict[str, str]:
    bpmn = MINI_BPMN.replace("SCRIPT", "x = 1").replace("OPERATION", "register_case")
    return {"mini.bpmn": with_properties(bpmn, "mini", **props) if props else bpmn,
            "check.json": '{"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}',
            **LETTERS}


@pytest.fixture
def norr_group(api):
    """Bygglov Norr, with the officer in it (as the administrator sets it up)."""
    admin = api.as_("admin")
    assert admin.post("/api/admin/groups", {"name": "Bygglov Norr", "title_sv": "Bygglov Norr",
                                            "title_en": "Building permits North"}).status_code == 201
    assert admin.post("/api/admin/groups/Bygglov Norr/members", {"username": "olga"}).status_code == 201


def test_bygglov_norr_staff_start_a_case_with_its_own_form_and_the_member_works_it_to_the_end(api, client, actors,
                                                                                              norr_group):
    clock.set(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    assert deploy(client, actors, norr_files()).status_code == 201
    r = api.as_("coordinator").post("/api/cases", {"process": "sign_north", "data": SIGN})
    assert r.status_code == 201, r.get_json()
    created = r.get_json()
    assert created["reference"] == "SKYLT 2026-000001"
    assert api.as_("coordinator").tasks(case_id=created["id"]) == []  # not the coordinator's group
    [task] = api.as_("officer").tasks("assess_sign", created["id"])
    assert (task["group"], task["title"]) == ("Bygglov Norr", "Assess the sign")
    api.as_("officer").complete("assess_sign", {"outcome": "granted", "decision_text": "Skylten passar."},
                                created["id"])
    case = api.as_("officer").case(created["id"])
    assert (case["status"], case["title"]) == ("closed", "Norrbagarn (Luleå Norrstrand 3:7)")
    assert case["columns"] == {"property_designation": "Luleå Norrstrand 3:7", "lit": True}
    assert case["completed_at"] is not None and case["property_designation"] == "Luleå Norrstrand 3:7"
    assert case["deadlines"]["statutory_due"] is None and case["deadlines"]["lead_time_days"] == 0


def test_a_start_form_without_the_building_permit_fields_is_no_error(api, client, actors):
    """It was a 500 (KeyError 'applicant_name') before the case model stopped requiring them."""
    files = norr_files()
    files["norr.bpmn"] = files["norr.bpmn"].replace('name="Bygglov Norr"', 'name="Officer"')
    assert deploy(client, actors, files).status_code == 201
    r = api.as_("officer").post("/api/cases", {"process": "sign_north", "data": SIGN | {"lit": False}})
    assert r.status_code == 201, r.get_json()
    assert api.as_("officer").case(r.get_json()["id"])["measure"] is None


def test_a_process_without_a_start_form_is_started_by_staff_with_no_data(api, client, actors):
    assert deploy(client, actors, mini()).status_code == 201
    r = api.as_("coordinator").post("/api/cases", {"process": "mini"})
    assert r.status_code == 201 and r.get_json()["reference"].startswith("MINI ")
    assert [t["name"] for t in api.as_("coordinator").tasks(case_id=r.get_json()["id"])] == ["check"]
    r = api.as_("coordinator").post("/api/cases", {"process": "mini", "data": {"note": "x"}})
    assert r.status_code == 422 and r.get_json()["errors"] == [
        {"field": "data", "message": "this process has no start form: start it with no data"}]
    assert api.as_("applicant").post("/api/cases", {"process": "mini"}).status_code == 403


def test_the_process_decides_who_may_start_it(api, client, actors, norr_group):
    assert deploy(client, actors, mini(start_roles="Bygglov Norr")).status_code == 201
    assert api.as_("officer").post("/api/cases", {"process": "mini"}).status_code == 201  # olga is in Bygglov Norr
    r = api.as_("coordinator").post("/api/cases", {"process": "mini"})
    assert r.status_code == 403 and "you may not start" in r.get_json()["message"]
    assert api.as_("coordinator").post("/api/cases", {"process": "nothing_like_it"}).status_code == 404
    startable = {p["process"] for p in api.as_("officer").get("/api/processes").get_json()}
    assert {"mini", "building_permit", "anmalan"} <= startable
    assert "mini" not in {p["process"] for p in api.as_("coordinator").get("/api/processes").get_json()}


def test_a_process_only_other_processes_call_is_started_by_nobody_by_hand(api, client, actors):
    assert deploy(client, actors, mini(start_roles="none")).status_code == 201
    for who in ("coordinator", "admin", "applicant"):
        assert "mini" not in {p["process"] for p in api.as_(who).get("/api/processes").get_json()}
        r = api.as_(who).post("/api/cases", {"process": "mini"})
        assert r.status_code == 403 and r.get_json()["message"] == "you may not start a case of 'Mini'"


def test_applicants_see_the_public_processes_with_their_start_forms(api):
    listed = {p["process"]: p for p in api.as_("applicant").get("/api/processes").get_json()}
    assert set(listed) == {"building_permit", "anmalan"}
    assert listed["anmalan"]["reference_prefix"] == "ANM" and listed["anmalan"]["public"] is True
    assert "near_boundary" in listed["anmalan"]["start_form"]["schema"]["properties"]


@pytest.mark.parametrize("props, message", [
    ({"reference_prefix": "bygg lov"}, "must be 1–10 capital letters"),
    ({"start_roles": "wizards"}, "start_roles names 'wizards', which is neither a role"),
    ({"rule_set": "danish"}, "rule_set 'danish' is not known"),
    ({"public": "yes"}, "use true or false"),
    ({"refrence_prefix": "X"}, "process property 'refrence_prefix' is not known"),
    ({"case_title": "{property designation}"}, "a placeholder names one variable"),
    ({"start_roles": "none, staff"}, "start_roles 'none' means only other processes start it"),
    ({"start_roles": "none", "public": "true"}, "start_roles 'none' means only other processes start it"),
])
def test_bad_process_properties_refuse_the_deploy_naming_the_property(client, actors, props, message):
    r = deploy(client, actors, mini(**props))
    assert r.status_code == 422
    assert any(e["element"] == "mini" and message in e["message"] for e in r.get_json()["errors"]), r.get_json()


def test_each_process_numbers_its_cases_in_its_own_series(api):
    clock.set(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    assert api.as_("applicant").submit()["reference"] == "BYGG 2026-000001"
    r = api.as_("applicant").post("/api/cases", {"process": "anmalan", "data": NOTIFICATION})
    assert r.get_json()["reference"] == "ANM 2026-000001"
    assert api.as_("applicant").submit()["reference"] == "BYGG 2026-000002"


def test_a_notification_near_the_boundary_needs_the_neighbours_consent(api):
    r = api.as_("applicant").post("/api/cases", {"process": "anmalan", "data": NOTIFICATION | {"near_boundary": True}})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "neighbour_consent"


def test_anmalan_runs_from_the_portal_to_its_start_notice_on_a_four_week_clock(api):
    clock.set(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    created = api.as_("applicant").post("/api/cases", {"process": "anmalan", "data": NOTIFICATION}).get_json()
    case = api.as_("applicant").case(created["id"])
    assert case["deadlines"]["statutory_due"] == (date(2026, 5, 4) + timedelta(weeks=4)).isoformat()
    assert case["title"] == "Umeå Tallen 4:12" and case["case_type"] == "anmalan"
    officer = api.as_("officer")
    officer.complete("check_notification", {"complete": True, "consultation_needed": False}, created["id"])
    clock.advance(timedelta(days=10))
    officer.complete("decide_start_notice", {"outcome": "granted", "decision_text": "Uppfyller kraven.",
                                             "control_plan": "Egenkontroll enligt bifogad plan."}, created["id"])
    case = api.as_("applicant").case(created["id"])
    assert (case["status"], case["outcome"]) == ("closed", "granted")
    assert case["deadlines"]["fee_reduction_fifths"] == 0 and case["deadlines"]["lead_time_days"] == 10
