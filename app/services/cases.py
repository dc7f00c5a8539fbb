"""Submitting cases and reading them (with access rules)."""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from app.clock import utcnow
from app.models import AuditEvent, Case, CaseStatus, HumanTask, ProcessVersion, Role, TaskStatus, User
from handlers import REGISTRY
from handlers.i18n import N_
from handlers.registry import HandlerContext

from . import audit, form_options, keyset, process_info, runner
from .env import get_env
from .errors import CaseClosed, CaseNotFound, Forbidden, InvalidInput
from .forms import normalise, validate
from .processes import form_schema, latest_version, start_form_name



def is_staff(user: User) -> bool:
    """Members of a work group and holders of a staff role (process owner, admin, manager)."""
    return user.is_staff


LANGUAGES = ("sv", "en")


def start_form(session: Session, version: ProcessVersion) -> dict | None:
    """The JSON Schema of the process's start form (choices filled in), or None when it has none."""
    return form_options.fill(session, form_schema(version, start_form_name(session, version)))


def start_data(session: Session, version: ProcessVersion, data) -> dict:
    """The start data checked against the process's start form; a process without one starts with no data."""
    schema = start_form(session, version)
    if schema is None:
        if data not in (None, {}):
            raise InvalidInput([{"field": "data", "message": "this process has no start form: start it with no data"}])
        return {}
    if data is None:
        raise InvalidInput([{"field": "data", "message": "is required: this process starts with its start form"}])
    return normalise(schema, validate(schema, data))


def submit_case(session: Session, *, actor: User, process: str, data: Mapping | None, language: str = "sv") -> Case:
    """Start a case of ``process`` with the data of its start form, if ``actor`` may start it.

    ``language`` is the applicant's: their letters and e-mail are written in it.
    """
    if language not in LANGUAGES:
        raise InvalidInput([{"field": "language", "message": f"must be one of {', '.join(LANGUAGES)}"}])
    version = latest_version(session, process)
    about = process_info.of(version)
    if not process_info.may_start(actor, about):
        raise Forbidden(f"you may not start a case of {about.title_en!r}")
    clean = start_data(session, version, data)
    now = utcnow()
    case = Case(process_version_id=version.id, state="", status=CaseStatus.RECEIVED,
                applicant_id=actor.id if actor.has_role(Role.APPLICANT.value) else None,
                language=language, case_type=about.case_type, facts={}, path=[], created_at=now, updated_at=now,
                **_case_columns(clean))
    session.add(case)
    session.flush()
    audit.record(session, actor=actor.username, action="case.submitted", case_id=case.id,
                 details={"process": process, "version": version.number, "data": clean})
    start = {"case_type": about.case_type, **clean} if about.case_type else clean
    runner.start_case(session, case, start, actor=actor.username)
    if case.reference is None:  # the process has no step of its own that registers the case
        runner.register(session, case, about.reference_prefix)
    return case


#: Start-form fields the case also keeps in columns of its own (for lists, search and letters).
CASE_COLUMNS = ("applicant_name", "applicant_email", "property_designation", "measure")


def _case_columns(clean: Mapping) -> dict:
    """The start data's values for ``CASE_COLUMNS``; one longer than its column holds is refused, naming it."""
    values = {name: None if clean.get(name) is None else str(clean[name]) for name in CASE_COLUMNS}
    errors = []
    for name, value in values.items():
        limit = Case.__table__.c[name].type.length
        if value is not None and len(value) > limit:
            errors.append({"field": name, "message": N_("is too long (at most %(n)s characters)", n=limit)})
    if errors:
        raise InvalidInput(errors)
    return values


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


CASE_KEYS = [keyset.Key(Case.created_at, "datetime"), keyset.Key(Case.id, "int")]


def list_cases(session: Session, *, actor: User, status: str | None = None, after: str | None = None,
               size: int = keyset.DEFAULT_SIZE) -> keyset.Page[Case]:
    """One page of the cases the actor may read (an applicant: their own), newest first; ``after`` is the
    previous page's ``next`` cursor. Each page is one index range (status or applicant, then the arrival)."""
    if status is not None and status not in {s.value for s in CaseStatus}:
        raise InvalidInput([{"field": "status", "message": f"is not a case status: {status!r}"}])
    query = select(Case).options(defer(Case.state))
    if not is_staff(actor):
        query = query.where(Case.applicant_id == actor.id)
    if status:
        query = query.where(Case.status == CaseStatus(status))
    position = keyset.decode(after, "newest", CASE_KEYS)
    if position is not None:
        query = query.where(keyset.after(CASE_KEYS, position, descending=True))
    rows = list(session.scalars(query.order_by(*keyset.order_by(CASE_KEYS, descending=True)).limit(size + 1)))
    cursor = None
    if len(rows) > size:
        rows = rows[:size]
        cursor = keyset.encode("newest", CASE_KEYS, [rows[-1].created_at, rows[-1].id])
    return keyset.Page(rows, cursor, size)


def open_tasks(session: Session, case: Case) -> list[HumanTask]:
    return list(session.scalars(select(HumanTask).where(
        HumanTask.case_id == case.id, HumanTask.status == TaskStatus.OPEN).order_by(HumanTask.created_at)))


def completed_tasks(session: Session, case: Case) -> list[HumanTask]:
    return list(session.scalars(select(HumanTask).where(
        HumanTask.case_id == case.id, HumanTask.status == TaskStatus.COMPLETED).order_by(HumanTask.completed_at)))


PUBLIC_ACTIONS = {"case.submitted", "task.completed", "message.received", "message.delivered",
                  "case.received", "case.supplement_ordered", "case.complete", "case.decided",
                  "case.own_initiative_supplement", "case.supplement_received", "case.reply_did_not_remedy",
                  "case.decided_as_it_stands", "case.extended", "case.withdrawn",
                  "case.communicated", "case.advised"}


def _is_withdrawal_closing(event: AuditEvent) -> bool:
    """The clock's "decided" event of a withdrawal: the history says "withdrawn", never "decision made"."""
    return event.action == "case.decided" and (event.details or {}).get("outcome") == "withdrawn"


def history(session: Session, *, actor: User, case: Case) -> list[AuditEvent]:
    """Who did what, when. Applicants see the milestones, staff everything."""
    events = [e for e in audit.case_history(session, case.id) if not _is_withdrawal_closing(e)]
    if is_staff(actor):
        return events
    return [e for e in events if e.action in PUBLIC_ACTIONS and not _is_internal_message(e)]


def _is_internal_message(event: AuditEvent) -> bool:
    """The appeal period looking again after a recorded service or appeal: staff news, not the applicant's."""
    return event.action.startswith("message.") and (event.details or {}).get("name") == "appeal_period_changed"


def application_of(session: Session, case: Case) -> tuple[dict, dict]:
    """The application form's schema and the case's current values for it."""
    version = case.process_version
    schema = start_form(session, version) or {"properties": {}}
    facts = case.facts or {}
    return schema, {name: facts.get(name) for name in schema.get("properties", {})}


def withdraw(session: Session, *, actor: User, case_id: int, reason: str = "") -> Case:
    """The applicant (or staff on their behalf) withdraws the application.

    SpiffWorkflow 3.2 cannot interrupt a running process from an event
    subprocess, so the host ends the workflow and records the decision with
    the same handler the diagram uses.
    """
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
