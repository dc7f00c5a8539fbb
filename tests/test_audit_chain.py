"""The audit chain cannot be forged: every way of tampering is named by verify.

Each test tampers with the database as an attacker with write access would
(on PostgreSQL first proving the database itself refuses the change, then
with the guarding triggers switched off) and checks that `lotsen audit
verify` and `GET /api/audit/verify` name the event.
"""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from app.cli import main
from app.clock import clock
from app.models import AuditCheckpoint, AuditDetail, AuditEvent, audit_guards
from app.services import audit, audit_checkpoints, audit_verify, retention
from tests.helpers import TRIAGE_COMPLETE, Api

@pytest.fixture
def api(client, actors):
    return Api(client, actors)


@contextmanager
def tampering(rt):
    """A raw connection with the database's guards off (they are proven separately)."""
    with rt.db.write_engine.begin() as conn:
        audit_guards.remove(conn)
        yield conn
        audit_guards.install(conn)


def closed_case(api, rt, **application) -> int:
    from app.scheduler import run_due_timers

    case_id = api.as_("applicant").submit(**application)["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id=case_id)
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."},
                                    case_id=case_id)
    clock.advance(timedelta(days=29))
    run_due_timers(rt)
    return case_id


def erase(rt, case_id: int) -> None:
    from app.models import Case

    with rt.db.unit_of_work() as s:
        case = s.get(Case, case_id)
        retention.erase_case(s, case, retention.free_text_fields(case.process_version), actor="retention")


def verify(rt, witness=None) -> audit_verify.Report:
    with rt.db.unit_of_work(write=False) as s:
        return audit_verify.verify(s, witness=witness)


def event_id(rt, case_id: int, action: str) -> int:
    with rt.db.unit_of_work(write=False) as s:
        return s.scalar(select(AuditEvent.id).where(AuditEvent.case_id == case_id, AuditEvent.action == action)
                        .order_by(AuditEvent.id).limit(1))


def assert_named(api, rt, event: int, words: str) -> None:
    report = verify(rt)
    assert report.broken is not None and report.broken.event_id == event, report.broken
    assert words in report.broken.reason
    r = api.as_("admin").get("/api/audit/verify")
    assert r.status_code == 409 and r.get_json()["event"] == event and words in r.get_json()["reason"]


def test_an_intact_chain_verifies_and_its_head_is_signed(api, rt):
    closed_case(api, rt)
    report = verify(rt)
    assert report.broken is None and report.events > 20
    body = api.as_("admin").get("/api/audit/verify").get_json()
    assert body["ok"] is True and body["head"].startswith(f"{report.head_id}:{report.head_hash} signed ")
    with rt.db.unit_of_work(write=False) as s:
        [checkpoint] = s.scalars(select(AuditCheckpoint)).all()
        assert (checkpoint.event_id, checkpoint.event_hash) == (report.head_id, report.head_hash)


def test_a_rolled_back_action_leaves_no_audit_event(api, rt):
    case_id = api.as_("applicant").submit()["id"]
    before = verify(rt).events
    r = api.as_("coordinator").post(f"/api/tasks/{api.as_('coordinator').tasks('triage')[0]['id']}/complete",
                                    {"data": {"case_type": "no such type"}})
    assert r.status_code == 422
    assert verify(rt).events == before and event_id(rt, case_id, "task.completed") is None


def test_erasure_by_a_redaction_of_another_case_is_detected(api, rt):
    victim = closed_case(api, rt)
    other = closed_case(api, rt, applicant_name="Bertil Berg")
    erase(rt, other)
    redaction = event_id(rt, other, "retention.redacted")
    submitted = event_id(rt, victim, "case.submitted")
    with tampering(rt) as conn:
        conn.execute(text("UPDATE audit_detail SET details = NULL, redacted_by_event_id = :r WHERE event_id = :e"),
                     {"r": redaction, "e": submitted})
    assert_named(api, rt, submitted, "redaction of another case")


def test_erasure_by_a_redaction_recorded_before_the_event_is_detected(api, rt):
    case_id = closed_case(api, rt)
    erase(rt, case_id)
    redaction = event_id(rt, case_id, "retention.redacted")
    with rt.db.unit_of_work() as s:  # the case gets a later event, which the attacker erases
        audit.record(s, actor="adam", action="case.viewed", case_id=case_id, details={"note": "Anna Andersson"})
    later = event_id(rt, case_id, "case.viewed")
    with tampering(rt) as conn:
        conn.execute(text("UPDATE audit_detail SET details = NULL, redacted_by_event_id = :r WHERE event_id = :e"),
                     {"r": redaction, "e": later})
    assert_named(api, rt, later, "recorded before the event itself")


def test_erasure_by_a_redaction_that_does_not_name_the_event_is_detected(api, rt):
    case_id = api.as_("applicant").submit()["id"]
    with rt.db.unit_of_work() as s:  # a genuine redaction of this case that lists no events
        audit.record_now(s, actor="retention", action="retention.redacted", case_id=case_id,
                         details={"fields": [], "events": []})
    submitted = event_id(rt, case_id, "case.submitted")
    redaction = event_id(rt, case_id, "retention.redacted")
    with tampering(rt) as conn:
        conn.execute(text("UPDATE audit_detail SET details = NULL, redacted_by_event_id = :r WHERE event_id = :e"),
                     {"r": redaction, "e": submitted})
    assert_named(api, rt, submitted, "does not name this event")


def test_an_event_posing_as_its_own_redaction_is_detected(api, rt):
    case_id = api.as_("applicant").submit()["id"]
    submitted = event_id(rt, case_id, "case.submitted")
    with tampering(rt) as conn:
        conn.execute(text("UPDATE audit_event SET action = 'retention.redacted', chain_version = 1 WHERE id = :e"),
                     {"e": submitted})
        conn.execute(text("UPDATE audit_detail SET details = NULL, redacted_by_event_id = :e WHERE event_id = :e"),
                     {"e": submitted})
    assert_named(api, rt, submitted, "old chain format were erased")


def test_an_old_format_event_without_details_is_detected(api, rt):
    case_id = api.as_("applicant").submit()["id"]
    submitted = event_id(rt, case_id, "case.submitted")
    with tampering(rt) as conn:
        conn.execute(text("UPDATE audit_event SET chain_version = 1 WHERE id = :e"), {"e": submitted})
        conn.execute(text("UPDATE audit_detail SET details = NULL WHERE event_id = :e"), {"e": submitted})
    assert_named(api, rt, submitted, "old chain format")


def test_a_deleted_tail_is_detected_by_the_signed_checkpoint(api, rt):
    closed_case(api, rt)
    head = verify(rt)
    assert api.as_("admin").get("/api/audit/verify").get_json()["ok"] is True  # signs the head
    with tampering(rt) as conn:
        conn.execute(text("DELETE FROM audit_detail WHERE event_id >= :e"), {"e": head.head_id - 2})
        conn.execute(text("DELETE FROM audit_event WHERE id >= :e"), {"e": head.head_id - 2})
    assert_named(api, rt, head.head_id, "deleted from its end")


def test_checkpoints_are_written_every_n_events(api, rt):
    rt.settings.audit_checkpoint_every = 10
    with rt.db.unit_of_work(write=False) as s:  # the set-up writes many events per transaction: count after it
        before = s.scalar(select(func.count()).select_from(AuditEvent))
    closed_case(api, rt)
    with rt.db.unit_of_work(write=False) as s:
        events = s.scalar(select(func.count()).select_from(AuditEvent)) - before
        checkpoints = [c for c in s.scalars(select(AuditCheckpoint.event_id)).all() if c > before]
    assert len(checkpoints) >= events // 10 - 1 and checkpoints == sorted(checkpoints)
    assert verify(rt).broken is None


def test_a_checkpoint_with_a_false_signature_is_detected(api, rt):
    api.as_("applicant").submit()
    assert api.as_("admin").get("/api/audit/verify").get_json()["ok"] is True
    with tampering(rt) as conn:
        conn.execute(text("UPDATE audit_checkpoint SET signature = :s"), {"s": "0" * 64})
    report = verify(rt)
    assert report.broken is not None and "false signature" in report.broken.reason


def test_a_witnessed_head_catches_a_tail_deleted_with_its_checkpoints(api, rt, settings, monkeypatch):
    closed_case(api, rt)
    monkeypatch.setenv("LOTSEN_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LOTSEN_INSTANCE_DIR", settings.instance_dir)
    printed = CliRunner().invoke(main, ["audit", "checkpoint"])
    assert printed.exit_code == 0
    witnessed = printed.output.split()[0]
    head_id = int(witnessed.split(":")[0])
    with tampering(rt) as conn:  # an attacker who also deletes the checkpoints
        conn.execute(text("DELETE FROM audit_checkpoint"))
        conn.execute(text("DELETE FROM audit_detail WHERE event_id >= :e"), {"e": head_id - 1})
        conn.execute(text("DELETE FROM audit_event WHERE id >= :e"), {"e": head_id - 1})
    assert CliRunner().invoke(main, ["audit", "verify"]).exit_code == 0  # without the witness it looks fine
    result = CliRunner().invoke(main, ["audit", "verify", "--witness", witnessed])
    assert result.exit_code == 1 and f"audit event {head_id}" in result.output and "deleted" in result.output


def test_a_witness_that_names_no_event_is_refused_with_the_format_to_use(settings, monkeypatch):
    monkeypatch.setenv("LOTSEN_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LOTSEN_INSTANCE_DIR", settings.instance_dir)
    for event in ("\u00b2", "99999999999999999999", "0"):
        result = CliRunner().invoke(main, ["audit", "verify", "--witness", f"{event}:{'a' * 64}"])
        assert result.exit_code == 2 and "EVENT_ID:HASH" in result.output, (event, result.output)


def test_the_database_allows_only_retentions_erasure_of_details(api, rt):
    case_id = closed_case(api, rt)
    submitted = event_id(rt, case_id, "case.submitted")
    refused = [
        ("UPDATE audit_detail SET details = '{\"x\": 1}' WHERE event_id = :e", "later recorded redaction"),
        ("UPDATE audit_detail SET details = NULL WHERE event_id = :e", "later recorded redaction"),
        ("UPDATE audit_detail SET details = NULL, redacted_by_event_id = :e WHERE event_id = :e",
         "later recorded redaction"),
        ("DELETE FROM audit_detail WHERE event_id = :e", "cannot be deleted"),
        ("UPDATE audit_checkpoint SET signature = 'x'", "append-only"),
        ("UPDATE audit_event SET actor = 'mallory' WHERE id = :e", "append-only"),
        ("DELETE FROM audit_event WHERE id = :e", "append-only"),
    ]
    api.as_("admin").get("/api/audit/verify")
    for statement, message in refused:
        with pytest.raises(Exception, match=message), rt.db.write_engine.begin() as conn:
            conn.execute(text(statement), {"e": submitted})
    erase(rt, case_id)  # what retention does is allowed
    with rt.db.unit_of_work(write=False) as s:
        assert s.get(AuditDetail, submitted).details is None
    assert verify(rt).broken is None


def test_concurrent_writers_keep_one_unbroken_chain(api, rt):
    """Eight threads act at once; the chain stays strictly ordered and verifiable."""
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(3):
                with rt.db.unit_of_work() as s:
                    for j in range(4):
                        audit.record(s, actor=f"worker{n}", action="test.event", details={"i": i, "j": j})
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    report = verify(rt)
    assert report.broken is None
    with rt.db.unit_of_work(write=False) as s:
        rows = s.execute(select(AuditEvent.actor, AuditDetail.details).join(AuditDetail)
                         .where(AuditEvent.action == "test.event").order_by(AuditEvent.id)).all()
    assert len(rows) == 8 * 3 * 4
    by_worker: dict[str, list] = {}
    for actor, details in rows:
        by_worker.setdefault(actor, []).append((details["i"], details["j"]))
    # each transaction's events are contiguous and in the order they were recorded
    assert all(seq == sorted(seq) for seq in by_worker.values())


def test_signature_depends_on_the_installation_key():
    at = clock.now()
    assert audit_checkpoints.signature("k1", 5, "a" * 64, at) != audit_checkpoints.signature("k2", 5, "a" * 64, at)
    assert json.dumps(audit_checkpoints.signature("k1", 5, "a" * 64, at))
