"""The scheduler: fires due timers and delivers the outbox (APScheduler).

Run exactly one per deployment in production (``lotsen scheduler``); several
are safe, because each timer row is claimed atomically before it fires.
"""
from __future__ import annotations

import logging
import os
import socket

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from app.runtime import Runtime
from app.services import outbox, timers
from app.services.errors import Conflict, StepFailed
from app.services.incidents import record_step_failure

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_due_timers(rt: Runtime, worker: str | None = None) -> int:
    """Fire every due timer once; return how many fired."""
    worker = worker or worker_name()
    with rt.db.unit_of_work(write=False) as session:
        due = [t.id for t in timers.due_timers(session)]
    fired = 0
    for timer_id in due:
        try:
            with rt.db.unit_of_work() as session:
                fired += timers.fire(session, timer_id=timer_id, worker=worker)
        except StepFailed as exc:
            with rt.db.unit_of_work() as session:
                record_step_failure(session, exc)
        except Conflict:
            log.info("timer %s: case changed concurrently; retrying on the next poll", timer_id)
    return fired


def deliver_outbox(rt: Runtime) -> int:
    with rt.db.unit_of_work() as session:
        sent, _ = outbox.deliver(session)
    return sent


def _tick(rt: Runtime) -> None:
    try:
        run_due_timers(rt)
    except Exception:  # the scheduler must keep running
        log.exception("timer run failed")
    try:
        deliver_outbox(rt)
    except Exception:
        log.exception("outbox delivery failed")


def start_background(rt: Runtime) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(_tick, "interval", seconds=rt.settings.scheduler_interval_s, args=[rt],
                      id="lotsen-tick", coalesce=True, max_instances=1)
    scheduler.start()
    _tick(rt)  # catch up on timers missed while nothing ran
    return scheduler


def run_blocking(rt: Runtime) -> None:
    _tick(rt)
    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(_tick, "interval", seconds=rt.settings.scheduler_interval_s, args=[rt],
                      id="lotsen-tick", coalesce=True, max_instances=1)
    scheduler.start()
