"""The scheduler: fires due timers and delivers the outbox (APScheduler).

Exactly one runs per database: every process that could run it (``lotsen
scheduler``, ``lotsen serve`` and each of its worker processes) asks for the
scheduler lease (app.scheduler_lease) before each run, and only its holder runs;
when the holder stops, another takes over at its next poll. Even two runs at
once would be safe, because each timer row and each outbox e-mail is claimed
atomically before it is acted on; the lease keeps the work in one place.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, UTC

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_SCHEDULER_SHUTDOWN
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from app import mailer
from app.runtime import Runtime
from app.scheduler_lease import FileLease, PostgresLease, lease_for
from app.services import messages, survey, timers
from app.services.errors import Conflict, DomainError
from app.services.incidents import record_step_failure

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_due_timers(rt: Runtime, worker: str | None = None) -> int:
    """Fire every due timer once; return how many fired.

    A timer whose step fails opens an incident and is marked, so it does not
    fire again (nor hold up the timers after it) until the incident is resolved.
    """
    worker = worker or worker_name()
    with rt.db.unit_of_work(write=False) as session:
        due = [(t.id, t.case_id, t.element_id) for t in timers.due_timers(session)]
    fired = 0
    for timer_id, case_id, element in due:
        try:
            with rt.db.unit_of_work() as session:
                fired += timers.fire(session, timer_id=timer_id, worker=worker)
        except Conflict:
            log.info("timer %s: case changed concurrently; retrying on the next poll", timer_id)
        except Exception as exc:  # the step failed, whatever the cause: an incident, never a loop
            if not isinstance(exc, DomainError):
                log.exception("timer %s: its step failed unexpectedly", timer_id)
            failure = timers.step_failure(exc, case_id=case_id, element=element)
            with rt.db.unit_of_work() as session:
                record_step_failure(session, failure)
                timers.mark_failed(session, timer_id=timer_id)
    return fired


def deliver_outbox(rt: Runtime) -> int:
    """Send the due e-mails (see app.mailer); then cases waiting for news kept for them (a decision served by
    e-mail) look again. Return how many e-mails were sent."""
    sent = mailer.deliver_due(rt.db, rt.settings).sent
    deliver_kept_messages(rt)
    return sent


def deliver_kept_messages(rt: Runtime) -> int:
    """Deliver messages kept for cases that now wait for them; a failing step becomes an incident."""
    with rt.db.unit_of_work(write=False) as session:
        case_ids = messages.kept_for_waiting_cases(session)
    delivered = 0
    for case_id in case_ids:
        try:
            with rt.db.unit_of_work() as session:
                messages.deliver_kept(session, case_id)
            delivered += 1
        except Conflict:
            log.info("case %s: changed concurrently; its kept message waits for the next poll", case_id)
        except Exception as exc:  # an incident, never a loop
            if not isinstance(exc, DomainError):
                log.exception("case %s: delivering a kept message failed unexpectedly", case_id)
            failure = timers.step_failure(exc, case_id=case_id, element="")
            with rt.db.unit_of_work() as session:
                record_step_failure(session, failure)
                messages.hand_to_incident(session, (failure.action or {}).get("kept_message_id"))
    return delivered


def run_survey(rt: Runtime) -> tuple[int, int]:
    """Invite the applicants of newly closed cases and remind those who have not answered."""
    with rt.db.unit_of_work(write=False) as session:
        due = survey.cases_to_invite(session)
    invited = 0
    for case_id in due:
        try:
            with rt.db.unit_of_work() as session:
                invited += survey.invite(session, case_id) is not None
        except Exception:  # one case's letter must not hold up the others
            log.exception("survey invitation for case %s failed", case_id)
    with rt.db.unit_of_work() as session:
        reminded = survey.send_reminders(session)
    return invited, reminded


class Turn:
    """Whether this process runs the scheduler now (it holds the lease); says so when that changes."""

    def __init__(self, lease: PostgresLease | FileLease):
        self.lease, self.held = lease, False

    def mine(self) -> bool:
        held = self.lease.hold()
        if held != self.held:
            log.info("%s %s the scheduler", worker_name(), "now runs" if held else "no longer runs")
        self.held = held
        return held

    def give_up(self) -> None:
        self.lease.release()
        self.held = False


def _tick(rt: Runtime, turn: Turn) -> None:
    if not turn.mine():  # another process runs the scheduler
        return
    try:
        run_due_timers(rt)
    except Exception:  # the scheduler must keep running
        log.exception("timer run failed")
    try:
        run_survey(rt)
    except Exception:
        log.exception("survey invitations failed")
    try:
        deliver_outbox(rt)
    except Exception:
        log.exception("outbox delivery failed")


def _schedule(scheduler, rt: Runtime) -> None:
    turn = Turn(lease_for(rt.settings.database_url, rt.settings.instance_dir))
    scheduler.add_listener(lambda _event: turn.give_up(), EVENT_SCHEDULER_SHUTDOWN)
    # the first run is now: catch up on timers missed while nothing ran
    scheduler.add_job(_tick, "interval", seconds=rt.settings.scheduler_interval_s, args=[rt, turn],
                      id="lotsen-tick", coalesce=True, max_instances=1, next_run_time=datetime.now(UTC))


def start_background(rt: Runtime, *, ticked: threading.Event | None = None) -> BackgroundScheduler:
    """Start the scheduler beside the web server; it catches up in its own thread, so serving starts at once.

    ``ticked`` is set each time a run (the catching-up one first) has finished.
    """
    scheduler = BackgroundScheduler(timezone="UTC")
    if ticked is not None:
        scheduler.add_listener(lambda _event: ticked.set(), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    _schedule(scheduler, rt)
    scheduler.start()
    return scheduler


def run_blocking(rt: Runtime) -> None:
    scheduler = BlockingScheduler(timezone="UTC")
    _schedule(scheduler, rt)
    scheduler.start()
