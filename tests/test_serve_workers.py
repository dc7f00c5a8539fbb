"""``lotsen serve --workers N``: several worker processes on PostgreSQL, exactly one scheduler among them.

The scheduler lease is tested on both databases; the multi-worker server only on PostgreSQL (SQLite refuses it).
"""
from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from app.cli import main
from app.config import Settings
from app.models import HumanTask, OutboxMessage, TaskStatus
from app.runtime import build_runtime
from app.scheduler_lease import SCHEDULER_LOCK, lease_for
from app.services import groups as group_service
from app.services import users as user_service
from app.services.processes import deploy_directory
from tests.conftest import PROCESSES, _reset_schema, _worker_database_url
from tests.helpers import TRIAGE_COMPLETE, application
from tests.lotsen_processes import START_TIMEOUT_S, environment, get, lotsen, post
from tests.smtp import Inbox, free_port, smtp_server

CASES = 6


def test_several_workers_on_sqlite_are_refused_with_a_message_that_says_why(tmp_path):
    env = {"LOTSEN_DATABASE_URL": f"sqlite:///{tmp_path / 'one.sqlite3'}", "LOTSEN_INSTANCE_DIR": str(tmp_path)}
    result = CliRunner().invoke(main, ["serve", "--workers", "2"], env=env)
    assert result.exit_code == 1
    assert "2 worker processes need PostgreSQL" in result.output
    assert "--workers 1" in result.output  # and what to do instead


def test_waitress_with_several_workers_is_refused(tmp_path):
    env = {"LOTSEN_DATABASE_URL": f"sqlite:///{tmp_path / 'one.sqlite3'}", "LOTSEN_INSTANCE_DIR": str(tmp_path)}
    result = CliRunner().invoke(main, ["serve", "--workers", "3", "--server", "waitress"], env=env)
    assert result.exit_code == 1
    assert "waitress runs one process" in result.output


def test_two_schedulers_on_one_database_never_hold_the_lease_at_once(settings):
    first = lease_for(settings.database_url, settings.instance_dir)
    second = lease_for(settings.database_url, settings.instance_dir)
    try:
        assert first.hold()
        assert not second.hold()
        assert first.hold()  # asking again while holding it keeps it
        assert not second.hold()
        first.release()  # the holder stops: the next one takes over
        assert second.hold()
        assert not first.hold()
    finally:
        first.release()
        second.release()


def test_a_scheduler_whose_database_connection_died_has_lost_the_lease(settings, rt):
    if rt.db.is_sqlite:
        pytest.skip("PostgreSQL: the lease lives with a database connection")
    first = lease_for(settings.database_url, settings.instance_dir)
    second = lease_for(settings.database_url, settings.instance_dir)
    try:
        assert first.hold()
        with rt.db.write_engine.connect() as conn:  # the database ends the holder's connection
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                              "AND objid = :key AND database = (SELECT oid FROM pg_database "
                              "WHERE datname = current_database())"), {"key": SCHEDULER_LOCK})
        assert second.hold()
        assert not first.hold()  # it notices before its next run
    finally:
        first.release()
        second.release()


# ------------------------------------------------------------------ several worker processes (PostgreSQL)


@pytest.fixture(scope="module")
def workers_world(tmp_path_factory, worker_id):
    """``lotsen serve --workers 2`` (scheduler on) with the reference process, users and an SMTP server."""
    url = _worker_database_url(f"{worker_id}_workers")
    if url is None:
        pytest.skip("several worker processes need PostgreSQL (LOTSEN_TEST_DATABASE_URL)")
    folder = tmp_path_factory.mktemp("workers")
    with smtp_server(Inbox()) as (inbox, smtp_port):
        settings = Settings.from_env({"database_url": url, "instance_dir": str(folder / "instance"),
                                      "secret_key": "workers", "smtp_port": smtp_port})
        rt = build_runtime(settings)
        _reset_schema(rt)
        tokens = {}
        with rt.db.unit_of_work() as s:
            group_service.ensure_demo(s)
            deploy_directory(s, PROCESSES, message="workers")
            for name, roles, groups in (("anna", ["applicant"], []), ("carl", [], ["coordinator"])):
                user = user_service.create_user(s, username=name, roles=roles, groups=groups, password="password1",
                                                email=f"{name}@example.se")
                tokens[name] = user_service.issue_token(s, user)
        port = free_port()
        env = environment(settings, port=port, scheduler_interval_s=0.2)
        with lotsen(["serve", "--workers", "2"], env) as server:
            url = f"http://127.0.0.1:{port}"
            _wait_until(lambda: _answers(url), f"{url} did not answer /healthz")
            yield rt, url, tokens, inbox, server
        rt.close()


def _answers(url: str) -> bool:
    try:
        return get(f"{url}/healthz", "") == {"status": "ok"}
    except OSError:
        return False


def _wait_until(condition, message: str, timeout: float = START_TIMEOUT_S):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError(message)
        time.sleep(0.1)  # another process acts; there is nothing in this one to wait on
    return found


def scheduler_holders(rt) -> list[int]:
    """The process ids whose scheduler holds the lease (from the lease connection's application name)."""
    with rt.db.write_engine.connect() as conn:
        names = conn.scalars(text(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.objid = :key AND l.granted "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
            {"key": SCHEDULER_LOCK}).all()
    return [int(name.rsplit(":", 1)[1]) for name in names]


def worker_pids(server) -> set[int]:
    """The gunicorn worker processes: the children of the server process (its arbiter)."""
    with open(f"/proc/{server.pid}/task/{server.pid}/children") as children:
        return {int(pid) for pid in children.read().split()}


def one_case_to_decision(url: str, tokens: dict) -> int:
    status, case = post(f"{url}/api/cases", tokens["anna"], {"process": "building_permit", "data": application()})
    assert status == 201, case
    for element, data in (("triage", TRIAGE_COMPLETE | {"track": "simple"}),
                          ("coordinator_decision", {"outcome": "granted", "decision_text": "Bygglov beviljas."})):
        [task] = [t for t in get(f"{url}/api/cases/{case['id']}", tokens["carl"])["open_tasks"]
                  if t["name"] == element]
        status, body = post(f"{url}/api/tasks/{task['id']}/complete", tokens["carl"], {"data": data})
        assert status == 200, body
    return case["id"]


def test_two_worker_processes_serve_cases_side_by_side_and_lose_no_completion(workers_world):
    rt, url, tokens, _, _ = workers_world
    with ThreadPoolExecutor(max_workers=4) as clients:
        case_ids = list(clients.map(lambda _: one_case_to_decision(url, tokens), range(CASES)))
    with rt.db.unit_of_work(write=False) as s:
        completed = s.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.case_id.in_(case_ids), HumanTask.status == TaskStatus.COMPLETED))
    assert completed == 2 * CASES  # every triage and every decision, none lost


def sent_everything_queued(rt, inbox: Inbox) -> int:
    """Wait until every e-mail queued so far has arrived; how many that is."""
    with rt.db.unit_of_work(write=False) as s:
        queued = s.scalar(select(func.count()).select_from(OutboxMessage))
    assert inbox.wait_for(queued, timeout=60), f"{len(inbox.messages)} of {queued} e-mails arrived"
    return queued


def test_exactly_one_worker_runs_the_scheduler_and_another_takes_over_when_it_dies(workers_world):
    rt, url, tokens, inbox, server = workers_world
    one_case_to_decision(url, tokens)
    [holder] = _wait_until(lambda: scheduler_holders(rt), "no worker took the scheduler lease")
    assert holder in worker_pids(server)
    sent_everything_queued(rt, inbox)  # the scheduler works (and is idle now: nothing claimed and unsent)
    os.kill(holder, signal.SIGKILL)  # the worker dies; gunicorn starts another
    [successor] = _wait_until(lambda: [p for p in scheduler_holders(rt) if p != holder],
                              "no worker took the scheduler over")
    assert successor in worker_pids(server)
    before = len(inbox.messages)
    one_case_to_decision(url, tokens)  # its letters are sent by the successor, each once
    queued = sent_everything_queued(rt, inbox)
    assert queued > before
    assert len(inbox.message_ids()) == len(inbox.messages) == queued
