"""Administrators: audit trail, incidents, case operations, retention, access requests."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from app.cli import main
from app.clock import clock
from app.models import AuditEvent, Case, HumanTask, PendingMessage, audit_guards
from handlers import REGISTRY
from tests.helpers import Api, Browser, TRIAGE_COMPLETE, reply_by
from tests.scenario import serve_applicant

ROLES = ["applicant", "coordinator", "officer", "referee", "committee", "process_owner"]
ADMIN_CALLS = [
    ("get", "/api/cases/{case}/audit", None), ("get", "/api/audit", None), ("get", "/api/audit/verify", None),
    ("get", "/api/admin/incidents", None),
    ("post", "/api/admin/cases/{case}/suspend", {"reason": "x"}),
    ("post", "/api/admin/cases/{case}/resume", {"reason": "x"}),
    ("post", "/api/admin/cases/{case}/terminate", {"reason": "x"}),
    ("post", "/api/admin/tasks/{task}/retry", None),
    ("post", "/api/admin/tasks/{task}/skip", {"data": {}, "reason": "x"}),
    ("post", "/api/admin/tasks/{task}/reassign", {"reason": "x", "user": "olga"}),
    ("get", "/api/admin/users/anna/export", None),
]


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def broken_fee(monkeypatch):
    operation = REGISTRY["compute_fee"]

    def broken(ctx, **params):
        raise ConnectionError("fee service unreachable")

    monkeypatch.setitem(REGISTRY, "compute_fee", operation.__class__(**{**operation.__dict__, "fn": broken}))
    return operation


@pytest.mark.parametrize("role", ROLES)
def test_admin_api_is_refused_to_every_other_role(api, role):
    case_id = api.as_("applicant").submit()["id"]
    [task] = api.as_("coordinator").tasks()
    for method, path, body in ADMIN_CALLS:
        url = path.format(case=case_id, task=task["id"])
        r = getattr(api.as_(role), method)(url, **({"json": body} if method == "post" else {}))
        assert r.status_code == 403, (role, url, r.get_json())


def test_changing_one_audit_row_makes_verify_fail_and_name_it(api, rt, settings, monkeypatch):
    api.as_("applicant").submit()
    monkeypatch.setenv("LOTSEN_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LOTSEN_INSTANCE_DIR", settings.instance_dir)
    runner = CliRunner()
    ok = runner.invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0 and "audit chain intact" in ok.output
    assert api.as_("admin").get("/api/audit/verify").get_json()["ok"] is True
    with rt.db.unit_of_work(write=False) as s:
        victim_id = s.scalar(select(AuditEvent.id).where(AuditEvent.action == "case.received"))
    with pytest.raises(Exception, match="append-only"), rt.db.write_engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE id = :i"), {"i": victim_id})
    with rt.db.write_engine.begin() as conn:  # an attacker who can switch the database's guard off
        audit_guards.remove(conn)
        conn.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE id = :i"), {"i": victim_id})
        audit_guards.install(conn)
    bad = runner.invoke(main, ["audit", "verify"])
    assert bad.exit_code == 1
    assert f"audit event {victim_id} (case.received by mallory" in bad.output and "does not match" in bad.output
    r = api.as_("admin").get("/api/audit/verify")
    assert r.status_code == 409 and r.get_json()["event"] == victim_id


def test_failing_handler_becomes_an_incident_and_retry_after_the_fix_completes_the_case(api, rt, monkeypatch):
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    operation = broken_fee(monkeypatch)
    [task] = api.as_("coordinator").tasks("coordinator_decision")
    decision = {"data": {"outcome": "granted", "decision_text": "Beviljas."}}
    assert api.as_("coordinator").post(f"/api/tasks/{task['id']}/complete", decision).status_code == 500
    [incident] = api.as_("admin").get("/api/admin/incidents").get_json()
    assert incident["case_id"] == case_id and incident["element"] == "compute_fee_task"
    assert "fee service unreachable" in incident["error"] and incident["kind"] == "complete_task"
    # blocked until an administrator acts; the completion is kept in the incident, not lost
    r = api.as_("coordinator").post(f"/api/tasks/{task['id']}/complete", decision)
    assert r.status_code == 409 and r.get_json()["error"] == "case_blocked"
    assert api.as_("admin").post(f"/api/admin/tasks/{incident['id']}/retry").status_code == 500  # still broken
    assert len(api.as_("admin").get("/api/admin/incidents").get_json()) == 1
    monkeypatch.setitem(REGISTRY, "compute_fee", operation)  # the cause is fixed
    r = api.as_("admin").post(f"/api/admin/tasks/{task['id']}/retry")
    assert r.status_code == 200 and r.get_json()["resolution"] == "retried"
    case = api.as_("applicant").case(case_id)
    assert case["status"] == "decided" and case["outcome"] == "granted"
    assert api.as_("admin").get("/api/admin/incidents").get_json() == []
    actions = [e["action"] for e in api.as_("admin").get(f"/api/cases/{case_id}/audit").get_json()]
    assert {"handler.failed", "incident.opened", "incident.retried", "engine.handler_called"} <= set(actions)


def test_skip_completes_the_failed_step_with_the_administrators_data(api, monkeypatch):
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    broken_fee(monkeypatch)
    [task] = api.as_("coordinator").tasks("coordinator_decision")
    api.as_("coordinator").post(f"/api/tasks/{task['id']}/complete",
                                {"data": {"outcome": "granted", "decision_text": "Beviljas."}})
    [incident] = api.as_("admin").get("/api/admin/incidents").get_json()
    r = api.as_("admin").post(f"/api/admin/tasks/{incident['id']}/skip", {"data": {"total": 4200, "currency": "SEK",
                                                                                 "reduction": 0}, "reason": ""})
    assert r.status_code == 422
    r = api.as_("admin").post(f"/api/admin/tasks/{incident['id']}/skip", {
        "data": {"total": 4200, "currency": "SEK", "reduction": 0, "lines": []},
        "reason": "Avgiftstjänsten nere; avgiften enligt taxa manuellt."})
    assert r.status_code == 200 and r.get_json()["resolution"] == "skipped"
    case = api.as_("applicant").case(case_id)
    assert case["outcome"] == "granted"
    skipped = [e for e in api.as_("admin").get(f"/api/cases/{case_id}/audit").get_json()
               if e["action"] == "incident.skipped"]
    assert skipped[0]["details"]["data"]["total"] == 4200


@pytest.mark.parametrize(("typed", "said"), [('{"total": NaN}', "NaN"), ('{"total": 1e999}', "too large"),
                                             ('{"total": ' + "9" * 5000 + "}", "digits")])
def test_skip_from_the_incident_page_refuses_numbers_json_cannot_carry(api, app, monkeypatch, typed, said):
    api.as_("applicant").submit()
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    broken_fee(monkeypatch)
    [task] = api.as_("coordinator").tasks("coordinator_decision")
    api.as_("coordinator").post(f"/api/tasks/{task['id']}/complete",
                                {"data": {"outcome": "granted", "decision_text": "Beviljas."}})
    [incident] = api.as_("admin").get("/api/admin/incidents").get_json()
    admin = Browser(app)
    admin.login("adam")
    page = "/admin/incidents"
    r = admin.post_form(page, f"/admin/incidents/{incident['id']}/skip", {"data": typed, "reason": "Manuellt."})
    assert r.status_code == 302
    assert said in admin.get(r.headers["Location"]).get_data(as_text=True)
    assert [i["id"] for i in api.as_("admin").get("/api/admin/incidents").get_json()] == [incident["id"]]


def test_suspended_case_takes_no_work_keeps_messages_and_resumes(api, rt):
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {
        "track": "simple", "complete": False, "supplement_request": "Ritning", "reply_by": reply_by()})
    assert api.as_("admin").post(f"/api/admin/cases/{case_id}/suspend", {"reason": ""}).status_code == 422
    r = api.as_("admin").post(f"/api/admin/cases/{case_id}/suspend", {"reason": "Utredning av jäv."})
    assert r.status_code == 200 and r.get_json()["suspended"] is True
    r = api.as_("applicant").post(f"/api/cases/{case_id}/messages/supplement_received", {"data": {"message": "ok"}})
    assert r.status_code == 202  # kept, not dropped
    assert api.as_("applicant").case(case_id)["status"] == "awaiting_supplement"
    assert api.as_("admin").post(f"/api/admin/cases/{case_id}/resume", {"reason": "Jäv utrett."}).status_code == 200
    case = api.as_("applicant").case(case_id)
    assert case["status"] == "in_triage"  # the kept message was delivered on resume
    with rt.db.unit_of_work(write=False) as s:
        assert s.scalar(select(PendingMessage.delivered_at)) is not None


def test_terminate_ends_the_case_and_cancels_its_tasks(api):
    case_id = api.as_("applicant").submit()["id"]
    r = api.as_("admin").post(f"/api/admin/cases/{case_id}/terminate", {"reason": "Dubblett av BYGG 2026-000007."})
    assert r.status_code == 200 and r.get_json()["status"] == "terminated"
    assert api.as_("coordinator").tasks() == []
    assert api.as_("admin").post(f"/api/admin/cases/{case_id}/terminate", {"reason": "igen"}).status_code == 409


def test_reassign_gives_a_task_to_a_user_or_group(api):
    api.as_("applicant").submit()
    [task] = api.as_("coordinator").tasks()
    r = api.as_("admin").post(f"/api/admin/tasks/{task['id']}/reassign", {"reason": "Semester", "user": "olga"})
    assert r.status_code == 422 and "not in the coordinator group" in r.get_json()["errors"][0]["message"]
    r = api.as_("admin").post(f"/api/admin/tasks/{task['id']}/reassign",
                              {"reason": "Koordinatorn är sjuk", "group": "officer", "user": "olga"})
    assert r.status_code == 200 and r.get_json()["group"] == "officer" and r.get_json()["assignee"] == "olga"
    assert [t["name"] for t in api.as_("officer").tasks()] == ["triage"]
    assert api.as_("coordinator").tasks() == []


def test_move_back_makes_an_earlier_task_ready_again(api, rt):
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    with rt.db.unit_of_work(write=False) as s:
        triage_id = s.scalar(select(HumanTask.id).where(HumanTask.case_id == case_id, HumanTask.element_id == "triage"))
    r = api.as_("admin").post(f"/api/admin/cases/{case_id}/move-back", {"task": triage_id, "reason": "Fel spår valt."})
    assert r.status_code == 200
    assert [t["name"] for t in api.as_("coordinator").tasks()] == ["triage"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "standard"})
    assert [t["name"] for t in api.as_("officer").tasks()] == ["review"]


def test_audit_search_and_export(api):
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    events = api.as_("admin").get("/api/audit?actor=carl&action=task.").get_json()
    assert [e["action"] for e in events] == ["task.completed"] and events[0]["case_id"] == case_id
    assert api.as_("admin").get("/api/audit?from=yesterday").status_code == 422
    csv_export = api.as_("admin").get(f"/api/audit?case={case_id}&format=csv")
    assert csv_export.status_code == 200 and csv_export.content_type.startswith("text/csv")
    assert "task.completed" in csv_export.get_data(as_text=True)
    as_json = api.as_("admin").get(f"/api/audit?case={case_id}&format=json").get_json()
    assert any(e["action"] == "case.submitted" for e in as_json)
    assert api.as_("admin").get("/api/audit?action=data.exported").get_json()[-1]["details"]["format"] == "json"


def test_engine_events_are_audited(api, rt):
    case_id = api.as_("applicant").submit()["id"]
    actions = {e["action"] for e in api.as_("admin").get(f"/api/cases/{case_id}/audit").get_json()}
    assert {"case.submitted", "engine.task_completed", "engine.handler_called", "engine.task_ready"} <= actions


def test_retention_erases_personal_data_but_keeps_statistics_and_the_chain(api, rt, settings, monkeypatch):
    case_id = api.as_("applicant").submit(description="Plank mot grannen Bertil Svenssons tomt.")["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."})
    serve_applicant(api, case_id)
    clock.advance(timedelta(days=29))
    from app.scheduler import run_due_timers
    assert run_due_timers(rt) == 1  # the appeal period passed: closed
    monkeypatch.setenv("LOTSEN_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LOTSEN_INSTANCE_DIR", settings.instance_dir)
    monkeypatch.setenv("LOTSEN_RETENTION_DAYS_JSON", json.dumps({"granted": 30, "default": 3650}))
    runner = CliRunner()
    assert "nothing to erase" in runner.invoke(main, ["retention", "run", "--dry-run"]).output
    clock.advance(timedelta(days=31))
    # the CLI runs in this process, so it sees the moved clock
    dry = runner.invoke(main, ["retention", "run", "--dry-run"])
    assert dry.exit_code == 0 and "would erase" in dry.output and "description" in dry.output
    with rt.db.unit_of_work(write=False) as s:
        assert s.get(Case, case_id).applicant_name == "Anna Andersson"  # dry run changed nothing
    real = runner.invoke(main, ["retention", "run"])
    assert real.exit_code == 0 and "1 case(s) erased" in real.output
    with rt.db.unit_of_work(write=False) as s:
        case = s.get(Case, case_id)
        assert case.applicant_name == "[redacted]" and case.facts["description"] == "[redacted]"
        assert "Bertil" not in case.state and "anna@example.se" not in case.state
        assert case.outcome.value == "granted" and case.status.value == "closed" and case.measure == "plank"
        submitted = s.scalar(select(AuditEvent).where(AuditEvent.case_id == case_id,
                                                      AuditEvent.action == "case.submitted"))
        assert submitted.details == {"redacted": True}
    assert runner.invoke(main, ["audit", "verify"]).exit_code == 0
    assert "nothing to erase" in runner.invoke(main, ["retention", "run"]).output


def test_an_applicant_can_get_their_data_as_json(api):
    case_id = api.as_("applicant").submit()["id"]
    for role, written in (("applicant", "Får planket vara 2 m?"), ("officer", "Nej, 1,8 m.")):
        assert api.as_(role).post(f"/api/cases/{case_id}/conversation", {"text": written}).status_code == 201
    mine = api.as_("applicant").get("/api/me/export").get_json()
    assert mine["account"]["username"] == "anna" and mine["cases"][0]["data"]["applicant_name"] == "Anna Andersson"
    assert [(m["from"], m["text"]) for m in mine["cases"][0]["conversation"]] == [
        ("applicant", "Får planket vara 2 m?"), ("municipality", "Nej, 1,8 m.")]
    by_admin = api.as_("admin").get("/api/admin/users/anna/export").get_json()
    assert by_admin["cases"][0]["reference"].startswith("BYGG ")
    exports = api.as_("admin").get("/api/audit?action=data.exported").get_json()
    assert [e["details"]["subject"] for e in exports] == ["anna", "anna"]


def test_failing_timer_step_becomes_an_incident_and_is_retried(api, rt, monkeypatch):
    from app.scheduler import run_due_timers

    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."})
    serve_applicant(api, case_id)
    operation = REGISTRY["record_legal_force"]

    def broken(ctx):
        raise TimeoutError("e-arkivet svarar inte")

    monkeypatch.setitem(REGISTRY, "record_legal_force", operation.__class__(**{**operation.__dict__, "fn": broken}))
    clock.advance(timedelta(days=29))
    assert run_due_timers(rt) == 0
    [incident] = api.as_("admin").get("/api/admin/incidents").get_json()
    assert incident["kind"] == "timer" and incident["element"] == "record_legal_force_task"
    assert run_due_timers(rt) == 0  # the blocked case's timer waits for the administrator
    monkeypatch.setitem(REGISTRY, "record_legal_force", operation)
    assert api.as_("admin").post(f"/api/admin/tasks/{incident['id']}/retry").status_code == 200
    assert api.as_("applicant").case(case_id)["status"] == "closed"
