"""External tasks: integration workers fetch, lock, complete or fail the work Lotsen cannot do itself.

Modelled on Camunda's external-task REST API. A started external task is a
row (written with the case, see ``project``); ``fetch_and_lock`` hands rows of
the asked topics to one worker at a time (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL; SQLite serialises writers), a lock that runs out makes the task
available again, and a task whose retries run out becomes an incident.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import Case, ExternalTask, Incident, ProcessVersion, WorkerCredential
from app.engine import spec_facts

from . import audit, incidents, locks, runner
from .env import get_env
from .errors import CaseClosed, Conflict, Forbidden, InvalidInput, NotFound, StepFailed
from .workers import may_fetch

MAX_TASKS = 100
MAX_LOCK_MS = 7 * 24 * 3600 * 1000
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


# ------------------------------------------------------------------ projection (in the case's transaction)


# ------------------------------------------------------------------ input


def _ms(value: Any, field: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_LOCK_MS:
        raise InvalidInput([{"field": field, "message": f"must be a whole number of milliseconds from {minimum} "
                                                        f"to {MAX_LOCK_MS}"}])
    return value


def _worker_id(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise InvalidInput([{"field": "workerId", "message": "is required: the name of this worker process "
                                                            "(up to 200 characters)"}])
    return value.strip()


def parse_variables(raw: Any, field: str = "variables") -> dict:
    """Camunda's typed variables ({"name": {"value": …, "type": …}}) as plain case data."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InvalidInput([{"field": field, "message": 'must be an object: {"name": {"value": …, "type": …}}'}])
    out, errors = {}, []
    for name, typed in raw.items():
        where = f"{field}.{name}"
        if not _NAME.match(name):
            errors.append({"field": where, "message": "a variable name is letters, digits and '_', starting with "
                                                      "a letter"})
        elif not isinstance(typed, Mapping) or "value" not in typed:
            errors.append({"field": where, "message": 'must be {"value": …, "type": …}'})
        else:
            try:
                out[name] = _value(typed)
            except ValueError as exc:
                errors.append({"field": where, "message": str(exc)})
    if errors:
        raise InvalidInput(errors)
    return out


def _value(typed: Mapping):
    kind, value = str(typed.get("type") or "").lower(), typed["value"]
    if kind in ("file", "bytes"):
        raise ValueError(f"type {typed.get('type')} cannot be stored; store the file in the archive and send "
                         "its reference")
    if kind in ("json", "object") and isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"is not valid JSON ({exc.msg})") from None
    return value


def typed_variables(data: Mapping, names: list[str] | None = None) -> dict:
    """Case data as Camunda's typed variables (the requested ``names`` only, when given)."""
    out = {}
    for name, value in data.items():
        if names is not None and name not in names:
            continue
        if value is None:
            out[name] = {"type": "Null", "value": None, "valueInfo": {}}
        elif isinstance(value, bool):
            out[name] = {"type": "Boolean", "value": value, "valueInfo": {}}
        elif isinstance(value, int):
            out[name] = {"type": "Integer" if -2**31 <= value < 2**31 else "Long", "value": value, "valueInfo": {}}
        elif isinstance(value, float):
            out[name] = {"type": "Double", "value": value, "valueInfo": {}}
        elif isinstance(value, str):
            out[name] = {"type": "String", "value": value, "valueInfo": {}}
        else:
            out[name] = {"type": "Json", "value": json.dumps(value, ensure_ascii=False), "valueInfo": {}}
    return out


# ------------------------------------------------------------------ fetch and lock


def _topics(raw: Any, worker: WorkerCredential) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        raise InvalidInput([{"field": "topics", "message": 'must be a list like [{"topicName": "archive", '
                                                           '"lockDuration": 60000}]'}])
    topics = []
    for i, topic in enumerate(raw):
        if not isinstance(topic, Mapping) or not isinstance(topic.get("topicName"), str) \
                or not topic["topicName"].strip():
            raise InvalidInput([{"field": f"topics[{i}].topicName", "message": "is required"}])
        names = topic.get("variables")
        if names is not None and (not isinstance(names, list) or not all(isinstance(n, str) for n in names)):
            raise InvalidInput([{"field": f"topics[{i}].variables", "message": "must be a list of variable names"}])
        keys = topic.get("processDefinitionKeyIn") or ([topic["processDefinitionKey"]]
                                                       if topic.get("processDefinitionKey") else None)
        topics.append({"name": topic["topicName"].strip(), "variables": names, "models": keys,
                       "business_key": topic.get("businessKey"),
                       "lock_ms": _ms(topic.get("lockDuration"), f"topics[{i}].lockDuration", minimum=1)})
    refused = sorted({t["name"] for t in topics if not may_fetch(worker, t["name"])})
    if refused:
        raise Forbidden(f"worker {worker.name!r} may not fetch topic {', '.join(refused)} "
                        f"(its topics: {', '.join(worker.topics)})")
    return topics


def fetch_and_lock(session: Session, *, worker: WorkerCredential, body: Mapping) -> list[tuple[ExternalTask, dict]]:
    """Lock up to ``maxTasks`` available tasks of the asked topics for ``workerId``; return them with their topic."""
    worker_id = _worker_id(body.get("workerId"))
    max_tasks = body.get("maxTasks", 10)
    if isinstance(max_tasks, bool) or not isinstance(max_tasks, int) or not 0 <= max_tasks <= MAX_TASKS:
        raise InvalidInput([{"field": "maxTasks", "message": f"must be a whole number from 0 to {MAX_TASKS}"}])
    topics = _topics(body.get("topics"), worker)
    now, locked = utcnow(), []
    for topic in topics:
        if len(locked) >= max_tasks:
            break
        for row in session.scalars(_available(topic, now).limit(max_tasks - len(locked))):
            row.worker_id, row.lock_expires_at = worker_id, now + timedelta(milliseconds=topic["lock_ms"])
            locked.append((row, topic))
    session.flush()
    return locked


def _available(topic: dict, now):
    """Tasks of a topic nobody holds: unlocked or lock run out, retries left, case neither suspended nor blocked."""
    blocked = exists().where(Incident.case_id == ExternalTask.case_id, Incident.resolved_at.is_(None))
    query = (select(ExternalTask).join(Case, Case.id == ExternalTask.case_id)
             .where(ExternalTask.topic == topic["name"], ExternalTask.retries > 0,
                    or_(ExternalTask.lock_expires_at.is_(None), ExternalTask.lock_expires_at <= now),
                    or_(ExternalTask.retry_at.is_(None), ExternalTask.retry_at <= now),
                    Case.suspended_at.is_(None), ~blocked))
    if topic["models"]:
        query = query.join(ProcessVersion, ProcessVersion.id == Case.process_version_id).where(
            ProcessVersion.model.in_(topic["models"]))
    if topic["business_key"]:
        query = query.where(Case.reference == topic["business_key"])
    return (query.order_by(ExternalTask.created_at, ExternalTask.id)
            .with_for_update(skip_locked=True, of=ExternalTask))


# ------------------------------------------------------------------ complete, fail, extend


def _held(session: Session, worker: WorkerCredential, task_id: str, worker_id: str) -> ExternalTask:
    """The task, when ``worker_id`` holds its lock now; its case's row and its own are locked (in that
    order, like every action on a case: see locks)."""
    case_id = session.scalar(select(ExternalTask.case_id).where(ExternalTask.id == task_id))
    if case_id is not None:
        locks.case(session, case_id)
    session.execute(select(ExternalTask.id).where(ExternalTask.id == task_id).with_for_update())
    row = session.get(ExternalTask, task_id, populate_existing=True)
    if row is None:
        raise NotFound(f"no waiting external task with id {task_id} (it was completed, or its case moved on)")
    if not may_fetch(worker, row.topic):
        raise Forbidden(f"worker {worker.name!r} may not work topic {row.topic!r}")
    if row.worker_id is None:
        raise Conflict("the task is not locked; fetch and lock it first")
    if row.worker_id != worker_id:
        raise Conflict(f"the task is locked by worker {row.worker_id!r}, not {worker_id!r}")
    if row.lock_expires_at is not None and row.lock_expires_at <= utcnow():
        raise Conflict(f"the lock ran out at {row.lock_expires_at.isoformat()}; fetch and lock the task again "
                       "(extend the lock while working)")
    return row


def complete(session: Session, *, worker: WorkerCredential, task_id: str, body: Mapping) -> Case:
    """The worker did the work: its variables join the case data and the case goes on."""
    worker_id = _worker_id(body.get("workerId"))
    variables = parse_variables(body.get("variables"))
    row = _held(session, worker, task_id, worker_id)
    case = row.case
    if case.completed_at is not None:
        raise CaseClosed("the case is closed")
    incidents.ensure_actionable(session, case)
    actor = f"worker:{worker.name}"
    audit.record(session, actor=actor, action="external_task.completed", case_id=case.id, element_id=row.element_id,
                 details={"task": row.id, "topic": row.topic, "worker_id": worker_id, "variables": sorted(variables)})
    return finish(session, case=case, task_id=row.id, variables=variables, actor=actor)


def finish(session: Session, *, case: Case, task_id: str, variables: dict, actor: str,
           skips: dict | None = None) -> Case:
    """Complete the external task in the workflow and run the case on (also an incident's replay)."""
    engine = get_env(session).engine

    def act(wf, events, host):
        try:
            engine.complete_external(wf, task_id, variables, events)
        except LookupError:
            raise Conflict("the external task is no longer waiting") from None

    try:
        runner.apply(session, case, act, actor=actor, skips=skips)
    except StepFailed as exc:
        exc.action = {"kind": "external_complete", "task_id": task_id, "variables": variables, "actor": actor}
        raise
    return case


def fail(session: Session, *, worker: WorkerCredential, task_id: str, body: Mapping) -> ExternalTask:
    """The worker could not do the work: retry later, or, with no retries left, open an incident."""
    worker_id = _worker_id(body.get("workerId"))
    retries = body.get("retries")
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise InvalidInput([{"field": "retries", "message": "is required: how often the task may still be tried "
                                                            "(0 makes it an incident for an administrator)"}])
    timeout = _ms(body.get("retryTimeout", 0), "retryTimeout", minimum=0)
    message = body.get("errorMessage")
    if message is not None and not isinstance(message, str):
        raise InvalidInput([{"field": "errorMessage", "message": "must be text"}])
    row = _held(session, worker, task_id, worker_id)
    now = utcnow()
    row.error_message = (message or "the worker reported a failure")[:2000]
    details = body.get("errorDetails")
    row.error_details = details[:20000] if isinstance(details, str) else None
    row.retries, row.worker_id, row.lock_expires_at = retries, None, None
    row.retry_at = now + timedelta(milliseconds=timeout) if timeout else None
    audit.record(session, actor=f"worker:{worker.name}", action="external_task.failed", case_id=row.case_id,
                 element_id=row.element_id, details={"task": row.id, "topic": row.topic, "worker_id": worker_id,
                                                     "error": row.error_message, "retries": retries})
    if retries == 0:
        incidents.open_for(session, case_id=row.case_id, element=row.element_id,
                           error=f"{row.topic}: {row.error_message}", action={"kind": "external_task",
                                                                                 "task_id": row.id})
    return row


def extend_lock(session: Session, *, worker: WorkerCredential, task_id: str, body: Mapping) -> ExternalTask:
    """The worker needs longer: its lock runs ``newDuration`` ms from now."""
    worker_id = _worker_id(body.get("workerId"))
    duration = _ms(body.get("newDuration"), "newDuration", minimum=1)
    row = _held(session, worker, task_id, worker_id)
    row.lock_expires_at = utcnow() + timedelta(milliseconds=duration)
    return row


def reopen(session: Session, *, task_id: str) -> ExternalTask:
    """An administrator retries a task whose retries ran out: workers may fetch it once more."""
    row = session.get(ExternalTask, task_id)
    if row is None:
        raise Conflict("the external task is no longer waiting")
    row.retries, row.retry_at, row.worker_id, row.lock_expires_at = 1, None, None, None
    return row


def waiting(session: Session, case_id: int | None = None) -> list[ExternalTask]:
    """Every waiting external task (of one case), oldest first (for administrators)."""
    query = select(ExternalTask).order_by(ExternalTask.created_at, ExternalTask.id)
    if case_id is not None:
        query = query.where(ExternalTask.case_id == case_id)
    return list(session.scalars(query))


def step_name(session: Session, row: ExternalTask) -> str:
    """The name the diagram gives the task's step (its element id when it has none)."""
    from .processes import version_specs

    spec, subprocesses = version_specs(session, row.case.process_version)
    return spec_facts.element_name(spec, subprocesses, row.element_id)
