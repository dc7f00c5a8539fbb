"""A step writes what changed, not everything again: a case's timers and message subscriptions
are kept by difference, its state is saved without its process spec, and a transaction's audit
events reach the chain in one statement."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.specs.base import TaskSpec

from app.clock import utcnow
from app.engine.projections import WaitingTimer
from app.models import Case, MessageSubscription, Timer
from app.services import audit, audit_verify, runner, waits
from tests.helpers import TRIAGE_COMPLETE, Api
from tests.scenario import serve_applicant


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def decided_case(api) -> int:
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id=case_id)
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."},
                                    case_id=case_id)
    serve_applicant(api, case_id)  # the appeal window's timer waits now
    return case_id


def the_timer(rt, case_id: int):
    """The case's one timer row as it is stored (id, task_id, element_id, due_at, claim, failure mark)."""
    with rt.db.unit_of_work(write=False) as s:
        return s.execute(select(Timer.id, Timer.task_id, Timer.element_id, Timer.due_at, Timer.claimed_by,
                                Timer.claimed_at, Timer.failed_at).where(Timer.case_id == case_id)).first()


def test_work_on_a_case_leaves_its_waiting_timer_row_as_it_was(api, rt):
    case_id = decided_case(api)
    before = the_timer(rt, case_id)
    marked_at = utcnow()
    with rt.db.unit_of_work() as s:  # the step behind it failed once: the timer waits for its incident
        s.get(Timer, before.id).failed_at = marked_at
    with rt.db.unit_of_work() as s:  # something else happens on the case; the timer is not touched by it
        runner.apply(s, s.get(Case, case_id), lambda wf, events, host: None, actor="system")
    after = the_timer(rt, case_id)
    assert (after.id, after.due_at, after.failed_at) == (before.id, before.due_at, marked_at)


def test_a_timer_whose_time_moves_is_updated_in_place_and_starts_afresh(rt, api):
    case_id = decided_case(api)
    row = the_timer(rt, case_id)
    later = row.due_at + timedelta(days=3)
    with rt.db.unit_of_work() as s:
        timer = s.get(Timer, row.id)
        timer.claimed_by, timer.claimed_at, timer.failed_at = "scheduler-1", utcnow(), utcnow()
    with rt.db.unit_of_work() as s:
        waits.project_timers(s, s.get(Case, case_id), [WaitingTimer(row.task_id, row.element_id, later)])
    moved = the_timer(rt, case_id)
    assert (moved.id, moved.due_at) == (row.id, later)
    assert (moved.claimed_by, moved.claimed_at, moved.failed_at) == (None, None, None)
    with rt.db.unit_of_work() as s:  # the case waits for nothing any more
        waits.project_timers(s, s.get(Case, case_id), [])
    assert the_timer(rt, case_id) is None


def test_message_subscriptions_that_still_hold_keep_their_rows(rt, api):
    case_id = api.as_("applicant").submit()["id"]
    with rt.db.unit_of_work() as s:
        case = s.get(Case, case_id)
        waits.project_subscriptions(s, case, [("supplement_received", "wait_a"), ("withdrawn", "wait_b")])
    with rt.db.unit_of_work(write=False) as s:
        kept = s.scalar(select(MessageSubscription.id).where(MessageSubscription.case_id == case_id,
                                                             MessageSubscription.name == "withdrawn"))
    with rt.db.unit_of_work() as s:
        waits.project_subscriptions(s, s.get(Case, case_id), [("withdrawn", "wait_b"), ("appeal", "wait_c")])
    with rt.db.unit_of_work(write=False) as s:
        rows = s.execute(select(MessageSubscription.id, MessageSubscription.name)
                         .where(MessageSubscription.case_id == case_id).order_by(MessageSubscription.id)).all()
    assert [name for _, name in rows] == ["withdrawn", "appeal"]
    assert rows[0][0] == kept


def test_saving_a_case_never_converts_its_process_spec(api, rt):
    case_id = api.as_("applicant").submit()["id"]
    engine = rt.env.engine
    registry = engine.serializer.registry
    converted = []
    original = registry.convert

    def noting(obj):
        converted.append(type(obj))
        return original(obj)

    with rt.db.unit_of_work(write=False) as s:
        state = s.get(Case, case_id).state
        wf = engine.load(state, runner.context_for(s, s.get(Case, case_id), runner.CaseHost(s, s.get(Case, case_id))))
    registry.convert = noting
    try:
        saved = engine.dump(wf)
    finally:
        registry.convert = original
    assert converted, "the workflow's own parts are converted"
    assert not [t for t in converted if issubclass(t, (BpmnProcessSpec, TaskSpec))]
    assert engine.dump(engine.load(saved, lambda task: None)) == saved  # and it loads back the same


def test_a_transactions_audit_events_reach_the_chain_in_one_insert(rt):
    inserts = []

    def count(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_EVENT"):
            inserts.append(executemany)

    event.listen(rt.db.write_engine, "before_cursor_execute", count)
    try:
        with rt.db.unit_of_work() as s:
            for n in range(5):
                audit.record(s, actor="system", action="test.noted", details={"n": n})
    finally:
        event.remove(rt.db.write_engine, "before_cursor_execute", count)
    assert len(inserts) == 1
    with rt.db.unit_of_work(write=False) as s:
        report = audit_verify.verify(s)
    assert report.broken is None and report.events >= 5
