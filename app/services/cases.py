"""Submitting cases and reading them (with access rules)."""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import AuditEvent, Case, CaseStatus, HumanTask, Role, TaskStatus, User

from . import audit, runner
from .env import get_env
from .errors import CaseClosed, CaseNotFound, Forbidden, InvalidInput
from .forms import normalise, validate
from .processes import form_schema, latest_version, start_form_name

def is_staff(user: User) -> bool:
    """Members of a work group and holders of a staff role (process owner, admin, manager)."""
    return user.is_staff


LANGUAGES = ("sv", "en")


def submit_case(session: Session, *, actor: User, process: str, data: Mapping, language: str = "sv") -> Case:
    """Validate an application against the process's start form and start a case.

    ``language`` is the applicant's: their letters and e-mail are written in it.
    """
    if not (actor.has_role(Role.APPLICANT.value) or is_staff(actor)):
        raise Forbidden("only applicants and staff can file applications")
    if language not in LANGUAGES:
        raise InvalidInput([{"field": "language", "message": f"must be one of {', '.join(LANGUAGES)}"}])
    version = latest_version(session, process)
    schema = form_schema(version, start_form_name(session, version))
    if schema is None:
        raise InvalidInput([{"field": "process", "message": f"process {process!r} has no application form"}])
    clean = normalise(schema, validate(schema, data))
    now = utcnow()
    case = Case(process_version_id=version.id, state="", status=CaseStatus.RECEIVED,
                applicant_id=actor.id if actor.has_role(Role.APPLICANT.value) else None,
                applicant_name=clean["applicant_name"], applicant_email=clean["applicant_email"], language=language,
                property_designation=clean["property_designation"], measure=clean["measure"],
                facts={}, path=[], created_at=now, updated_at=now)
    session.add(case)
    session.flush()
    audit.record(session, actor=actor.username, action="case.submitted", case_id=case.id,
                 details={"process": process, "version": version.number, "data": clean})
    runner.start_case(session, case, clean, actor=actor.username)
    return case


def get_case(session: Session, *, actor: User, case_id: int) -> Case:
    """The case, if ``actor`` may read it: its applicant, or staff."""
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFound(f"no case with id {case_id}")
    if is_staff(actor):
        return case
    if case.applicant_id is not None and case.applicant_id == actor.id:
        return case
    raise Forbidden("you may only read your own cases")


def list_cases(session: Session, *, actor: User, status: str | None = None, limit: int = 200) -> list[Case]:
    query = select(Case).order_by(Case.created_at.desc()).limit(limit)
    if not is_staff(actor):
        query = query.where(Case.applicant_id == actor.id)
    if status:
        query = query.where(Case.status == CaseStatus(status))
    return list(session.scalars(query))


def open_tasks(session: Session, case: Case) -> list[HumanTask]:
    return list(session.scalars(select(HumanTask).where(
        HumanTask.case_id == case.id, HumanTask.status == TaskStatus.OPEN).order_by(HumanTask.created_at)))


def completed_tasks(session: Session, case: Case) -> list[HumanTask]:
    return list(session.scalars(select(HumanTask).where(
        HumanTask.case_id == case.id, HumanTask.status == TaskStatus.COMPLETED).order_by(HumanTask.completed_at)))


PUBLIC_ACTIONS = {"case.submitted", "task.completed", "message.received", "message.delivered",
                  "case.received", "case.supplement_ordered", "case.complete", "case.decided",
                  "case.own_initiative_supplement", "case.supplement_received", "case.reply_did_not_remedy",
                  "case.decided_as_it_stands", "case.extended", "case.withdrawn"}


def _is_withdrawal_closing(event: AuditEvent) -> bool:
    """The clock's "decided" event of a withdrawal: the history says "withdrawn", never "decision made"."""
    return event.action == "case.decided" and (event.details or {}).get("outcome") == "withdrawn"


def history(session: Session, *, actor: User, case: Case) -> list[AuditEvent]:
    """Who did what, when. Applicants see the milestones, staff everything."""
    events = [e for e in audit.case_history(session, case.id) if not _is_withdrawal_closing(e)]
    if is_staff(actor):
        return events
    return [e for e in events if e.action in PUBLIC_ACTIONS]


def application_of(session: Session, case: Case) -> tuple[dict, dict]:
    """The application form's schema and the case's current values for it."""
    version = case.process_version
    schema = form_schema(version, start_form_name(session, version)) or {"properties": {}}
    facts = case.facts or {}
    return schema, {name: facts.get(name) for name in schema.get("properties", {})}


def withdraw(session: Session, *, actor: User, case_id: int, reason: str = "") -> Case:
    """The applicant (or staff on their behalf) withdraws the application.

    SpiffWorkflow 3.2 cannot interrupt a running process from an event
    subprocess, so the host ends the workflow and records the decision with
    the same handler the diagram uses.
    """
    from handlers import REGISTRY
    from handlers.registry import HandlerContext

    case = get_case(session, actor=actor, case_id=case_id)
    if case.completed_at is not None:
        raise CaseClosed("the case is already closed")
    env = get_env(session)

    def act(wf, events, host):
        ctx = HandlerContext(case_id=case.id, reference=case.reference, element_id="withdrawal", now=utcnow(),
                             data={**(case.facts or {}), "withdrawal_reason": reason},
                             settings=env.settings.handler_settings(), host=host)
        decision = REGISTRY["record_decision"].fn(ctx, outcome="withdrawn", decided_by="applicant")
        env.engine.cancel(wf, {"decision": decision, "outcome": "withdrawn", "withdrawal_reason": reason}, events)

    audit.record(session, actor=actor.username, action="case.withdrawn", case_id=case.id, details={"reason": reason})
    runner.apply(session, case, act, actor=actor.username)
    return case
