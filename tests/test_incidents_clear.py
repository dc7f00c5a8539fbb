"""Incidents you can always clear: skip a failed script or handler, move back to the last user task,
and staff see a blocked case in their language with the input that was rolled back."""
from __future__ import annotations

import re

import pytest

from app.config import PROJECT_ROOT
from app.engine.specs import read_bundle
from app.engine.store import specs_to_json
from app.services import processes
from app.services.env import get_env
from app.services.processes import RULES, read_directory
from tests.bundles import without_task
from tests.helpers import Api, TRIAGE_COMPLETE, reply_by

PROCESSES = PROJECT_ROOT / "processes"
BUILDING_PERMIT = (PROCESSES / "building_permit.bpmn").read_text()


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def deploy_without_the_gate(rt, bpmn: str) -> None:
    """Store a version the way deploys worked before the gate (as old versions in a database were)."""
    files = {**read_directory(PROCESSES), "building_permit.bpmn": bpmn}
    bundle = read_bundle(files, RULES)
    with rt.db.unit_of_work() as s:
        spec, subprocesses = bundle.specs["building_permit"]
        version = processes._store(s, "building_permit", files, processes.content_hash(files),
                                   specs_to_json(spec, subprocesses), "before the gate", None, _NoReport(),
                                   {"lanes": bundle.lane_groups})
        get_env(s).specs.put(version.id, version.spec_json)


class _NoReport:
    def to_dict(self) -> dict:
        return {"verdict": "passed", "summary": "", "warnings": []}


def open_incident(api) -> dict:
    [incident] = api.as_("admin").get("/api/admin/incidents").get_json()
    return incident


def test_skip_passes_over_a_failed_handler_whose_parameter_is_missing(api, rt):
    operator = ('<spiffworkflow:serviceTaskOperator id="record_decision" resultVariable="decision">\n'
                '          <spiffworkflow:parameters>\n            <spiffworkflow:parameter id="outcome" type="str" ')
    assert BUILDING_PERMIT.count(operator + 'value="outcome" />') == 1
    deploy_without_the_gate(rt, BUILDING_PERMIT.replace(  # the decision step reads a name nothing sets
        operator + 'value="outcome" />', operator + 'value="final_outcome" />'))
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id)
    [decision] = api.as_("coordinator").tasks("coordinator_decision", case_id)
    r = api.as_("coordinator").post(f"/api/tasks/{decision['id']}/complete",
                                    {"data": {"outcome": "granted", "decision_text": "Beviljas."}})
    assert r.status_code == 500 and "name 'final_outcome' is not defined" in r.get_json()["message"]
    incident = open_incident(api)
    assert incident["element"] == "record_decision_task" and incident["step"] == "Record decision"
    assert set(incident["skip_template"]) >= {"outcome", "decided_at", "letter"}  # from the handler's declaration
    result = incident["skip_template"] | {"outcome": "granted"}
    r = api.as_("admin").post(f"/api/admin/tasks/{incident['id']}/skip",
                              {"data": result, "reason": "Beslut fattat på delegation utanför systemet."})
    assert r.status_code == 200, r.get_json()
    case = api.as_("applicant").case(case_id)
    assert case["status"] == "decided" and case["outcome"] == "granted"  # waits at the appeal window
    actions = [e["action"] for e in api.as_("admin").get(f"/api/cases/{case_id}/audit").get_json()]
    assert "engine.step_skipped" in actions and actions.count("engine.handler_called") >= 2


def test_skip_passes_over_a_failed_script_and_the_case_runs_on(api, rt, client):
    assert BUILDING_PERMIT.count("<bpmn:script>outcome = 'dismissed'\n") == 1
    deploy_without_the_gate(rt, BUILDING_PERMIT.replace("<bpmn:script>outcome = 'dismissed'\n",
                                                        "<bpmn:script>outcome = dismissal\n"))
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {
        "track": "standard", "complete": False, "supplement_request": "Fasadritning", "reply_by": reply_by()},
        case_id)
    assert api.as_("admin").post("/api/testing/clock", {"now": "2099-01-02T12:00:00+00:00"}).status_code == 200
    [overdue] = api.as_("coordinator").tasks("supplement_overdue", case_id)
    r = api.as_("coordinator").post(f"/api/tasks/{overdue['id']}/complete", {"data": {"action": "dismiss"}})
    assert r.status_code == 500
    incident = open_incident(api)
    assert incident["element"] == "set_dismissed"
    assert incident["skip_template"] == {"outcome": None, "decided_by_group": None}  # what the script sets
    assert incident["step"] == "Mark as dismissed" and incident["step_sv"] == "Markera som avvisad"
    login(client, "adam", "sv")
    page = client.get("/admin/incidents").get_data(as_text=True)
    assert "· Markera som avvisad</h2>" in page  # the step in the reader's language
    login(client, "carl", "sv")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Markera som avvisad" in page and "Mark as dismissed" not in page
    r = api.as_("admin").post(f"/api/admin/tasks/{incident['id']}/skip",
                              {"data": {"outcome": "dismissed", "decided_by_group": "coordinator"},
                               "reason": "Skriptfel; avvisning enligt beslut."})
    assert r.status_code == 200, r.get_json()
    case = api.as_("applicant").case(case_id)
    assert case["status"] == "decided" and case["outcome"] == "dismissed"


def test_move_back_keeps_the_task_open_and_offers_the_rolled_back_input_again(api, rt, client):
    deploy_without_the_gate(rt, without_task(BUILDING_PERMIT, "coordinator_decision"))
    case_id = api.as_("applicant").submit()["id"]
    [triage] = api.as_("coordinator").tasks("triage", case_id)
    api.as_("coordinator").post(f"/api/tasks/{triage['id']}/complete", {"data": TRIAGE_COMPLETE | {"track": "simple"}})
    incident = open_incident(api)
    assert incident["move_back_to"] == {"task": triage["id"], "title": "Triage application",
                                        "title_sv": "Granska ansökan"}
    assert incident["input"]["track"] == "simple"
    r = api.as_("admin").post(f"/api/admin/incidents/{incident['id']}/move-back", {"reason": ""})
    assert r.status_code == 422
    r = api.as_("admin").post(f"/api/admin/incidents/{incident['id']}/move-back",
                              {"reason": "Processen rättas; koordinatorn gör om granskningen."})
    assert r.status_code == 200 and r.get_json()["resolution"] == "moved_back"
    assert [t["id"] for t in api.as_("coordinator").tasks("triage", case_id)] == [triage["id"]]
    login(client, "carl")
    page = client.get(f"/tasks/{triage['id']}").get_data(as_text=True)
    assert 'id="refilled"' in page
    assert re.search(r'name="track"[^>]*value="simple"[^>]*checked|value="simple"[^>]*selected', page)


def test_move_back_after_a_failed_timer_step_returns_to_the_last_user_task(api, rt, monkeypatch):
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id)
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."},
                                    case_id)
    from handlers import REGISTRY

    operation = REGISTRY["check_appeal_period"]  # the appeal period's timer asks it again

    def broken(ctx, **params):
        raise ConnectionError("the register of service does not answer")

    monkeypatch.setitem(REGISTRY, "check_appeal_period", operation.__class__(**{**operation.__dict__, "fn": broken}))
    api.as_("admin").post("/api/testing/clock", {"advance": "P40D"})
    incident = open_incident(api)
    assert incident["kind"] == "timer" and incident["move_back_to"]["title"] == "Decide on delegation"
    r = api.as_("admin").post(f"/api/admin/incidents/{incident['id']}/move-back",
                              {"reason": "Beslutet ska skrivas om."})
    assert r.status_code == 200, r.get_json()
    assert api.as_("coordinator").tasks("coordinator_decision", case_id)
    assert api.as_("applicant").case(case_id)["status"] == "in_triage"


def login(client, username: str, locale: str = "en"):
    """Log ``client`` in; its later requests ask for ``locale``."""
    from tests.conftest import PASSWORD

    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = locale
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})


@pytest.mark.parametrize("locale, blocked, kept", [
    ("en", "This case is blocked.", "was not saved. It is kept here"),
    ("sv", "Ärendet är blockerat.", "sparades inte. Det finns kvar här"),
])
def test_a_blocked_case_is_marked_for_staff_in_their_language_without_the_technical_error(
        api, rt, client, locale, blocked, kept):
    deploy_without_the_gate(rt, without_task(BUILDING_PERMIT, "coordinator_decision"))
    case_id = api.as_("applicant").submit()["id"]
    [triage] = api.as_("coordinator").tasks("triage", case_id)
    api.as_("coordinator").post(f"/api/tasks/{triage['id']}/complete", {"data": TRIAGE_COMPLETE | {"track": "simple"}})
    login(client, "carl", locale)
    inbox = client.get("/inbox").get_data(as_text=True)
    assert 'class="badge outcome-refused blocked-badge"' in inbox
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert blocked in page and kept in page
    assert "NameError" not in page and "record_decision_task" not in page and "Traceback" not in page


def test_the_incident_list_shows_how_long_the_case_is_blocked_and_its_days_left(api, rt, client):
    deploy_without_the_gate(rt, without_task(BUILDING_PERMIT, "coordinator_decision"))
    case_id = api.as_("applicant").submit()["id"]
    [triage] = api.as_("coordinator").tasks("triage", case_id)
    api.as_("coordinator").post(f"/api/tasks/{triage['id']}/complete", {"data": TRIAGE_COMPLETE | {"track": "simple"}})
    api.as_("admin").post("/api/testing/clock", {"advance": "P2D"})
    incident = open_incident(api)
    assert incident["blocked_seconds"] >= 2 * 24 * 3600
    days_left = incident["statutory_days_left"]
    assert days_left == 10 * 7 - 2  # the clock runs from arrival, also while the case is blocked
    login(client, "adam")
    page = client.get("/admin/incidents").get_data(as_text=True)
    assert "Blocked for 2 days" in page and f'data-days-left="{days_left}"' in page
    assert "Move the case back to “Triage application”" in page
    assert "<th>Case type</th><td>Building permit</td>" in page  # the rolled-back input, worded by its form
    login(client, "adam", "sv")
    page = client.get("/admin/incidents").get_data(as_text=True)
    assert "Flytta tillbaka ärendet till ”Granska ansökan”" in page
    assert "<th>Ärendetyp</th><td>Bygglov</td>" in page and "<th>case_type</th>" not in page


def test_a_failing_post_script_of_a_user_task_opens_an_incident_that_skip_clears(api, rt):
    deploy_without_the_gate(rt, BUILDING_PERMIT.replace(
        '<spiffworkflow:postScript>referral_answer = {"referral": referral, "statement": statement, '
        '"objection": objection}</spiffworkflow:postScript>',
        '<spiffworkflow:postScript>referral_answer = {"referral": referral, "by": referee}</spiffworkflow:postScript>'))
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "standard", "referrals": ["miljo"]}, case_id)
    api.as_("officer").complete("review", {"assessment": "Remiss till miljö."}, case_id)
    [referral] = api.as_("referee").tasks("answer_referral", case_id)
    r = api.as_("referee").post(f"/api/tasks/{referral['id']}/complete",
                                {"data": {"statement": "Inga synpunkter.", "objection": False}})
    assert r.status_code == 500 and r.get_json()["error"] == "step_failed"
    incident = open_incident(api)
    assert incident["element"] == "answer_referral" and incident["input"]["statement"] == "Inga synpunkter."
    answer = {"referral_answer": {"referral": "miljo", "statement": "Inga synpunkter.", "objection": False}}
    r = api.as_("admin").post(f"/api/admin/tasks/{incident['id']}/skip", {"data": answer, "reason": "Skriptfel."})
    assert r.status_code == 200, r.get_json()
    assert api.as_("officer").tasks("draft_decision", case_id)
