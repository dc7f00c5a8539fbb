"""A timer whose step fails opens an incident and waits for it, marked: it never fires in a loop every
poll, nor holds up the timers behind it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.clock import clock
from app.models import AuditEvent, Case, Timer
from app.scheduler import run_due_timers
from handlers import REGISTRY
from handlers.registry import HandlerInputError
from tests.bundles import hostile_bundle
from tests.helpers import TRIAGE_COMPLETE, Api, application, store_without_the_gate
from tests.scenario import serve_applicant
from tests.test_web import Browser


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def failures(rt, case_id: int) -> int:
    with rt.db.unit_of_work(write=False) as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.case_id == case_id, AuditEvent.action == "handler.failed"))


def timer_failed(rt, case_id: int) -> bool | None:
    """Whether the case's timer is marked failed; None when the case has no timer."""
    with rt.db.unit_of_work(write=False) as s:
        timer = s.scalar(select(Timer).where(Timer.case_id == case_id))
        return None if timer is None else timer.failed_at is not None


def decided_case(api) -> int:
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id=case_id)
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."},
                                    case_id=case_id)
    serve_applicant(api, case_id)  # the appeal period runs from service: the timer waits for its end
    return case_id


def test_a_timer_whose_handler_refuses_the_data_waits_for_its_incident_and_the_next_timer_fires(
        api, rt, monkeypatch):
    first, second = decided_case(api), decided_case(api)
    operation = REGISTRY["record_legal_force"]

    def refuses_the_first(ctx):
        if ctx.case_id == first:
            raise HandlerInputError("decision", "the archive refuses this decision")
        return operation.fn(ctx)

    monkeypatch.setitem(REGISTRY, "record_legal_force",
                        operation.__class__(**{**operation.__dict__, "fn": refuses_the_first}))
    clock.advance(timedelta(days=29))  # both appeal windows have passed
    assert run_due_timers(rt) == 1  # the second case's timer fired although the first one's failed
    [incident] = api.as_("admin").get("/api/admin/incidents").get_json()
    assert incident["case_id"] == first and incident["kind"] == "timer"
    assert incident["error"] == "decision: the archive refuses this decision"
    assert timer_failed(rt, first) is True
    assert api.as_("applicant").case(second)["status"] == "closed"

    assert run_due_timers(rt) == 0
    assert failures(rt, first) == 1  # not tried again on the next poll

    monkeypatch.setitem(REGISTRY, "record_legal_force", operation)
    assert api.as_("admin").post(f"/api/admin/tasks/{incident['id']}/retry").status_code == 200
    assert api.as_("applicant").case(first)["status"] == "closed" and timer_failed(rt, first) is None


def test_a_runaway_script_behind_a_timer_becomes_an_incident_and_skipping_it_moves_the_case_on(api, rt, app):
    with rt.db.unit_of_work() as session:  # the gate would refuse it; a version from before the gate
        store_without_the_gate(session, hostile_bundle({}, "while True:\n    pass"), "hostile timer")
    clock.set(clock.now() - timedelta(hours=1))
    r = api.as_("applicant").post("/api/cases", {"process": "hostile_timer", "data": {
        k: application()[k] for k in ("applicant_name", "applicant_email", "property_designation", "measure")}})
    clock.reset()
    case_id = r.get_json()["id"]
    with rt.db.unit_of_work(write=False) as s:
        state_before = s.get(Case, case_id).state

    assert run_due_timers(rt) == 0
    [incident] = api.as_("admin").get("/api/admin/incidents").get_json()
    assert incident["error"] == "Compute: the script ran longer than 2 s"
    assert run_due_timers(rt) == 0 and failures(rt, case_id) == 1
    assert timer_failed(rt, case_id) is True
    with rt.db.unit_of_work(write=False) as s:
        assert s.get(Case, case_id).state == state_before
    admin = Browser(app)
    admin.login("adam")
    assert "Compute: skriptet körde längre än 2 s" in admin.get("/admin/incidents").get_data(as_text=True)
    admin.post_form("/admin/incidents", "/lang/en", {})
    assert "Compute: the script ran longer than 2 s" in admin.get("/admin/incidents").get_data(as_text=True)
    staff = Browser(app)
    staff.login("carl")
    page = staff.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Senaste försöket misslyckades: Compute: skriptet körde längre än 2 s" in page
    assert "Lämnat till en administratör" in page and "incident.opened" not in page
    assert page.count("skriptet körde längre än 2 s") == 2 and "the script ran" not in page  # banner and history

    r = api.as_("admin").post(f"/api/admin/tasks/{incident['id']}/skip",
                              {"data": {"x": False}, "reason": "the script never ends; fixed in the next version"})
    assert r.status_code == 200, r.get_json()
    assert [t["name"] for t in api.as_("coordinator").tasks(case_id=case_id)] == ["timer_check"]
    assert timer_failed(rt, case_id) is None
