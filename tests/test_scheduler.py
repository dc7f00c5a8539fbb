"""Timers on the scheduler: claimed atomically, fired once, caught up after downtime."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta, UTC
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.clock import clock
from app.models import AuditEvent, HumanTask, Timer
from app.scheduler import run_due_timers, start_background
from tests.helpers import TRIAGE_COMPLETE, Api

REAL_NOW = datetime.now(UTC)


def cases_waiting_for_a_supplement(client, actors, n: int) -> list[int]:
    """n cases whose supplement reply date passed ten days ago (in real time)."""
    api = Api(client, actors)
    clock.set(REAL_NOW - timedelta(days=30))
    reply_by = (REAL_NOW - timedelta(days=10)).astimezone(ZoneInfo("Europe/Stockholm")).date().isoformat()
    ids = []
    for _ in range(n):
        case_id = api.as_("applicant").submit()["id"]
        api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {
            "track": "simple", "complete": False, "supplement_request": "Ritning saknas.", "reply_by": reply_by},
            case_id=case_id)
        ids.append(case_id)
    clock.reset()
    return ids


def overdue_tasks(rt, case_id: int) -> int:
    with rt.db.unit_of_work(write=False) as s:
        return s.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.case_id == case_id, HumanTask.element_id == "supplement_overdue"))


def timer_firings(rt, case_id: int) -> int:
    with rt.db.unit_of_work(write=False) as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.case_id == case_id, AuditEvent.action == "engine.task_completed",
            AuditEvent.element_id == "reply_date_passed"))


def test_two_scheduler_processes_never_fire_one_timer_twice(client, actors, rt, settings):
    ids = cases_waiting_for_a_supplement(client, actors, 8)
    env = {**os.environ, "LOTSEN_DATABASE_URL": settings.database_url, "LOTSEN_INSTANCE_DIR": settings.instance_dir}
    code = "from app.cli import main; main(['timers', 'run-due'])"
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    fired = [int(out.split()[1]) for out, _ in outputs]
    assert sum(fired) == len(ids)
    for case_id in ids:
        assert overdue_tasks(rt, case_id) == 1
        assert timer_firings(rt, case_id) == 1
    with rt.db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Timer)) == 0


def test_timer_due_while_the_scheduler_was_down_fires_once_on_start(client, actors, rt):
    [case_id] = cases_waiting_for_a_supplement(client, actors, 1)
    with rt.db.unit_of_work(write=False) as s:
        [timer] = s.scalars(select(Timer)).all()
        assert timer.due_at < REAL_NOW  # it became due while nothing ran
    ticked = threading.Event()
    scheduler = start_background(rt, ticked=ticked)  # catches up at once, beside the web server
    assert ticked.wait(timeout=60)
    scheduler.shutdown(wait=True)
    assert overdue_tasks(rt, case_id) == 1
    assert run_due_timers(rt) == 0  # nothing left to fire
    assert timer_firings(rt, case_id) == 1


def test_timers_are_listed_and_run_from_the_command_line(client, actors, rt, settings, monkeypatch):
    from click.testing import CliRunner

    from app.cli import main

    [case_id] = cases_waiting_for_a_supplement(client, actors, 1)
    monkeypatch.setenv("LOTSEN_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LOTSEN_INSTANCE_DIR", settings.instance_dir)
    listing = CliRunner().invoke(main, ["timers", "list"])
    assert listing.exit_code == 0 and "reply_date_passed" in listing.output and "BYGG " in listing.output
    result = CliRunner().invoke(main, ["timers", "run-due"])
    assert result.exit_code == 0 and "fired 1 timer(s)" in result.output
    assert overdue_tasks(rt, case_id) == 1
