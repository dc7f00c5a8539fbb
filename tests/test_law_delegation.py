"""The delegation order as data (processes/delegation.dmn): who may decide, refusal naming the rule, the
committee's list of decisions on delegation per period (page and CSV)."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from tests.conftest import PROCESSES
from tests.helpers import TRIAGE_COMPLETE, Api
from tests.scenario import on, refuse_after_comments
from tests.test_web import Browser

DAY0 = date(2026, 3, 2)


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def simple_case(api, **application) -> int:
    case_id = api.as_("applicant").submit(**application)["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id=case_id)
    return case_id


def standard_case(api, **application) -> int:
    case_id = api.as_("applicant").submit(**({"measure": "nybyggnad"} | application))["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "standard"}, case_id=case_id)
    api.as_("officer").complete("review", {"assessment": "Förenligt med detaljplanen.", "referrals": [],
                                           "neighbours_required": False}, case_id=case_id)
    return case_id


def complete_task(api, role, name, case_id, data):
    [task] = api.as_(role).tasks(name, case_id)
    return api.as_(role).post(f"/api/tasks/{task['id']}/complete", {"data": data})


def test_refusal_by_the_coordinator_is_refused_naming_the_rule_of_the_delegation_order(api):
    on(api, DAY0)
    case_id = simple_case(api)
    r = complete_task(api, "coordinator", "coordinator_decision", case_id, {"outcome": "refused",
                                                                            "decision_text": "Avslås."})
    assert r.status_code == 422
    [error] = r.get_json()["errors"]
    assert error["field"] == "outcome"
    assert "Delegationsordning 1.1: avslag på ansökan om lov eller förhandsbesked beslutas av nämnden" in \
        error["message"]
    case = api.as_("officer").case(case_id)
    assert case["outcome"] is None and [t["name"] for t in case["open_tasks"]] == ["coordinator_decision"]


def test_coordinator_hands_a_case_to_be_refused_over_and_the_committee_decides_it(api):
    on(api, DAY0)
    case_id = simple_case(api)
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "hand_over",
                                                             "decision_text": "Skylten strider mot planen."})
    api.as_("officer").complete("review", {"assessment": "Strider mot planen.", "referrals": [],
                                           "neighbours_required": False})
    refuse_after_comments(api, case_id)
    assert [t["name"] for t in api.as_("committee").tasks(case_id=case_id)] == ["committee_decision"]
    api.as_("committee").complete("committee_decision", {"outcome": "refused", "minutes_reference": "§ 12",
                                                         "committee_text": "Nämnden avslår ansökan."})
    assert api.as_("officer").case(case_id)["outcome"] == "refused"


def test_officer_grants_a_standard_case_on_delegation(api):
    on(api, DAY0)
    case_id = standard_case(api)
    api.as_("officer").complete("draft_decision", {"outcome": "granted", "decision_text": "Beviljas."})
    assert api.as_("officer").case(case_id)["outcome"] == "granted"


def test_process_owner_edits_the_delegation_order_and_the_next_case_follows_it(client, actors, api):
    on(api, DAY0)
    table = (PROCESSES / "delegation.dmn").read_text(encoding="utf-8")
    refusals_to_officers = table.replace(
        '<text>["committee"]</text>\n        </outputEntry>\n        <outputEntry id="delegation_rule_1_out_2">',
        '<text>["officer"]</text>\n        </outputEntry>\n        <outputEntry id="delegation_rule_1_out_2">').replace(
        "Delegationsordning 1.1: avslag på ansökan om lov eller förhandsbesked beslutas av nämnden",
        "Delegationsordning 1.1 (ny): avslag beslutas av handläggare")
    assert refusals_to_officers != table
    r = client.post("/api/process-models", headers=actors.headers("process_owner"),
                    content_type="multipart/form-data",
                    data={"model": "building_permit", "message": "Avslag på delegation",
                          "files": [(io.BytesIO(refusals_to_officers.encode()), "delegation.dmn")]})
    assert r.status_code == 201, r.get_json()
    case_id = standard_case(api)
    refuse_after_comments(api, case_id)
    case = api.as_("officer").case(case_id)
    assert case["outcome"] == "refused" and case["open_tasks"] == []
    listed = api.as_("committee").get("/api/delegation-decisions").get_json()["decisions"]
    assert [(d["reference"], d["rule"]) for d in listed] == [
        (case["reference"], "Delegationsordning 1.1 (ny): avslag beslutas av handläggare")]


def test_committee_secretary_lists_the_decisions_on_delegation_of_a_period(app, api):
    on(api, date(2026, 2, 27))
    before = simple_case(api)
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."},
                                    case_id=before)
    on(api, DAY0)
    fence = simple_case(api, property_designation="=HYPERLINK(\"http://evil.example\";\"Umeå Tallen 4:12\")")
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."},
                                    case_id=fence)
    house = standard_case(api)
    api.as_("officer").complete("draft_decision", {"outcome": "granted", "decision_text": "Beviljas."},
                                case_id=house)
    refused = standard_case(api)
    refuse_after_comments(api, refused)
    api.as_("committee").complete("committee_decision", {"outcome": "refused", "minutes_reference": "§ 3",
                                                         "committee_text": "Nämnden avslår ansökan."},
                                  case_id=refused)
    r = api.as_("committee").get("/api/delegation-decisions?from=2026-03-01&to=2026-03-31")
    assert r.status_code == 200
    listed = r.get_json()["decisions"]
    assert [(d["case_id"], d["group"], d["decided_by"], d["outcome"]) for d in listed] == [
        (fence, "coordinator", "Carl", "granted"), (house, "officer", "Olga", "granted")]
    assert listed[0]["rule"].startswith("Delegationsordning 2.1")
    rows = list(csv.reader(io.StringIO(
        api.as_("committee").get("/api/delegation-decisions?from=2026-03-01&to=2026-03-31&format=csv")
        .get_data(as_text=True))))
    assert rows[1][3].startswith("'=HYPERLINK") and len(rows) == 3
    browser = Browser(app)
    browser.login("karin")
    page = browser.get("/delegation-decisions?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    assert page.count('data-label="Beslutad av"') == 2 and "Delegationsordning 3.1" in page
    download = browser.get("/delegation-decisions.csv?from=2026-03-01&to=2026-03-31")
    assert download.mimetype == "text/csv" and "'=HYPERLINK" in download.get_data(as_text=True)
    assert ",Beviljad,Olga,Handläggare," in download.get_data(as_text=True)  # in words, in the reader's language


def test_only_committee_secretaries_and_administrators_read_the_list(app, api):
    assert api.as_("officer").get("/api/delegation-decisions").status_code == 403
    assert api.as_("admin").get("/api/delegation-decisions").status_code == 200
    browser = Browser(app)
    browser.login("olga")
    assert browser.get("/delegation-decisions").status_code == 403


@pytest.mark.parametrize("query, field", [
    ("from=2026-13-01", "from"), ("to=igår", "to"), ("from=2026-03-10&to=2026-03-01", "to"), ("format=xlsx", "format"),
])
def test_a_bad_period_is_refused_naming_the_field(api, query, field):
    r = api.as_("committee").get(f"/api/delegation-decisions?{query}")
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == field
