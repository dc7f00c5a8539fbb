"""The diagram studio's use cases: models, versions, drafts, validate, deploy, diff, migrate.

Only process owners and administrators change anything here. Deploying goes
through ``processes.deploy`` (all or nothing); migrating a case loads it with
its old version's spec, moves it with SpiffWorkflow's diff utilities and saves
it through the runner's persistence path, so the inbox, timers and message
subscriptions are rewritten in the same transaction.
"""
from __future__ import annotations

import re
from typing import Any

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.engine import diff as bundle_diff
from app.engine.specs import BPMN_NS, BundleInvalid, read_bundle
from app.engine.words import N_, Reason
from app.models import Case, CaseStatus, ProcessDraft, ProcessVersion, Role, User
from handlers import REGISTRY, i18n

from . import ahead, audit, gate, processes, runner
from . import groups as group_service
from .env import get_env
from .errors import (
    CaseClosed, CaseNotFound, DomainError, Forbidden, InvalidInput, MigrationRefused, NotFound)

OWNER_ROLES = (Role.PROCESS_OWNER.value, Role.ADMIN.value)


def require_owner(user: User | None) -> None:
    """Only process owners and administrators change process models."""
    if user is None or not any(user.has_role(r) for r in OWNER_ROLES):
        raise Forbidden("only process owners and administrators may change process models")


# ------------------------------------------------------------------ reading


def list_models(session: Session) -> list[dict]:
    """Every model with its latest version, how many versions and running cases, and draft."""
    rows = session.execute(select(ProcessVersion.model, func.max(ProcessVersion.number), func.count(),
                                  func.max(ProcessVersion.created_at)).group_by(ProcessVersion.model)).all()
    running = dict(session.execute(
        select(ProcessVersion.model, func.count(Case.id)).join(Case, Case.process_version_id == ProcessVersion.id)
        .where(Case.completed_at.is_(None)).group_by(ProcessVersion.model)).all())
    drafts = {d.model: d for d in session.scalars(select(ProcessDraft))}
    models = {model: {"model": model, "latest_version": latest, "versions": count,
                      "running_cases": running.get(model, 0), "updated_at": updated,
                      "has_draft": model in drafts}
              for model, latest, count, updated in rows}
    for model, draft in drafts.items():
        models.setdefault(model, {"model": model, "latest_version": None, "versions": 0, "running_cases": 0,
                                  "updated_at": draft.updated_at, "has_draft": True})
    return [models[m] for m in sorted(models)]


def list_versions(session: Session, model: str) -> list[ProcessVersion]:
    """The model's versions, newest first."""
    return list(session.scalars(select(ProcessVersion).where(ProcessVersion.model == model)
                                .order_by(ProcessVersion.number.desc())))


def get_version(session: Session, model: str, number: int) -> ProcessVersion:
    version = session.scalar(select(ProcessVersion).where(ProcessVersion.model == model,
                                                          ProcessVersion.number == number))
    if version is None:
        raise NotFound(i18n.N_("process %(model)s has no version %(n)s", model=repr(model), n=number))
    return version


def operations_catalog() -> list[dict]:
    """The service operations a diagram may call, with their parameters."""
    return [{"name": op.name, "params": list(op.params), "required": [p for p in op.params if p in op.required],
             "description": op.description} for op in sorted(REGISTRY.values(), key=lambda o: o.name)]


def groups(session: Session, locale: str = "sv") -> list[dict]:
    """The groups a lane (or a user task) may name: active ones, with their title in ``locale``.

    ``labels`` are the name and both titles: a lane may name a group by any of them.
    """
    return [{"name": g.name, "title": g.title(locale), "labels": [g.name, g.title_sv, g.title_en]}
            for g in group_service.list_groups(session, include_retired=False)]


def statuses() -> list[str]:
    return [s.value for s in CaseStatus if s.value in processes.RULES.statuses]


# ------------------------------------------------------------------ drafts


def get_draft(session: Session, model: str) -> ProcessDraft | None:
    return session.scalar(select(ProcessDraft).where(ProcessDraft.model == model))


def _clean_files(files: Any) -> dict[str, str]:
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        raise InvalidInput([{"field": "files", "message": "must map file names to their text"}])
    return dict(files)


def save_draft(session: Session, *, model: str, files: dict[str, str], author: User) -> ProcessDraft:
    """Keep the studio's unfinished bundle for ``model`` (one draft per model)."""
    require_owner(author)
    files = _clean_files(files)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]{0,119}", model or ""):
        raise InvalidInput([{"field": "model", "message": "must be a process id (letters, digits, _ . -)"}])
    latest = processes.latest_version(session, model, required=False)
    draft = get_draft(session, model)
    if draft is None:
        draft = ProcessDraft(model=model, files=files, updated_at=utcnow())
        session.add(draft)
    draft.files = files
    draft.author_id = author.id
    draft.updated_at = utcnow()
    draft.base_version_number = latest.number if latest else None
    session.flush()
    audit.record(session, actor=author.username, action="process.draft_saved",
                 details={"model": model, "files": sorted(files), "base_version": draft.base_version_number})
    return draft


# ------------------------------------------------------------------ validate and deploy


def check(session: Session, files: dict[str, str]) -> dict:
    """What a deploy of ``files`` would find: {problems (errors), warnings, gate (its report, if it ran)}.

    Nothing is stored; the problems are exactly those a deploy would refuse.
    """
    def problem(message: str) -> dict:
        return {"file": None, "line": None, "element": None, "message": message}

    try:
        rules = processes.rules_for(session)
        bundle = read_bundle(_clean_files(files), rules)
        files = {**files, **bundle.generated}
        report = gate.run(session, bundle, processes.content_hash(files), rules)
    except BundleInvalid as exc:
        return {"problems": [p.to_dict() for p in exc.problems], "warnings": [], "gate": None}
    except InvalidInput as exc:
        return {"problems": [problem(e["message"]) for e in exc.errors], "warnings": [], "gate": None}
    except Exception as exc:  # validation reports, it never fails
        return {"problems": [problem(f"cannot be checked: {exc}")], "warnings": [], "gate": None}
    found = report.to_dict()
    return {"problems": found["errors"], "warnings": found["warnings"], "gate": found}


def validate(session: Session, files: dict[str, str]) -> list[dict]:
    """Every problem of the bundle ({file, line, element, message, ...}); empty when it would deploy."""
    return check(session, files)["problems"]


def executable_processes(files: dict[str, str]) -> list[str]:
    """Executable process ids of the bundle's diagrams, main process first (none if unreadable)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    found, called = [], set()
    for name in sorted(n for n in files if n.endswith(".bpmn")):
        try:
            root = etree.fromstring(files[name].encode(), parser)
        except (etree.XMLSyntaxError, ValueError):
            continue
        found += [p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process") if p.get("isExecutable") == "true"]
        called |= {c.get("calledElement") for c in root.iter(f"{{{BPMN_NS}}}callActivity")}
    return sorted(found, key=lambda p: p in called)


def deploy(session: Session, *, files: dict[str, str], message: str, author: User) -> ProcessVersion:
    """Deploy the whole bundle; return the main model's version (unchanged content: its latest).

    Raises ``DeployRejected`` listing every problem. Drafts of deployed models are removed.
    """
    require_owner(author)
    files = _clean_files(files)
    versions = processes.deploy(session, files=files, message=message or "", author=author)
    by_model = {v.model: v for v in versions}
    main = next((m for m in executable_processes(files) if m in by_model), versions[0].model)
    for model in by_model:
        draft = get_draft(session, model)
        if draft is not None:
            session.delete(draft)
    session.flush()
    return by_model[main]


def upload(session: Session, *, files: dict[str, str], message: str, author: User,
           model: str | None = None) -> tuple[ProcessVersion, bool]:
    """Deploy uploaded files over the model's latest version (files not uploaded are kept).

    Returns the version and whether it is new (identical content is not deployed again).
    """
    require_owner(author)
    files = _clean_files(files)
    models = [model] if model else executable_processes(files)
    if not models and not any(n.endswith(".bpmn") for n in files):
        raise InvalidInput([{"field": "model", "message": "upload a .bpmn file, or name the model whose files "
                                                          "the upload replaces"}])
    base: dict[str, str] = {}
    for name in models:
        latest = processes.latest_version(session, name, required=False)
        if latest is not None:
            base.update(latest.files)
    if model and not base and not any(n.endswith(".bpmn") for n in files):
        raise NotFound(f"no deployed process named {model!r}")
    bundle = {**base, **files}
    before = {m: v.number for m in models if (v := processes.latest_version(session, m, required=False))}
    version = deploy(session, files=bundle, message=message, author=author)
    return version, before.get(version.model) != version.number


def restore_version(session: Session, *, model: str, version: int, message: str | None,
                    author: User) -> tuple[ProcessVersion, bool]:
    """Make version ``version`` current again: a new version with its files (checked by the gate as any deploy).

    Returns the version that is now current and whether it is new (rolling back to
    the content the latest version already has deploys nothing). Audited.
    """
    require_owner(author)
    source = get_version(session, model, version)
    latest = processes.latest_version(session, model)
    text = (message or "").strip() or f"Rollback to version {version}"
    versions = processes.deploy(session, files=dict(source.files), message=text, author=author)
    current = next(v for v in versions if v.model == model)
    created = current.number != latest.number
    if created:
        audit.record(session, actor=author.username, action="process.rolled_back",
                     details={"model": model, "to": version, "from": latest.number, "version": current.number,
                              "message": text})
    return current, created


# ------------------------------------------------------------------ diff


def diff(session: Session, model: str, from_n: int, to_n: int) -> dict:
    """Elements added, removed and changed between two versions, and files changed."""
    old, new = get_version(session, model, from_n), get_version(session, model, to_n)
    return {"model": model, "from": from_n, "to": to_n, **bundle_diff.diff_bundles(old.files, new.files)}


# ------------------------------------------------------------------ migration


def _blocker(case: Case, target: ProcessVersion) -> Reason | None:
    """Why ``case`` cannot move to ``target`` before looking at its workflow (None: look)."""
    if case.completed_at is not None:
        return Reason(N_("it is closed"))
    if case.process_version.model != target.model:
        return Reason(N_("it runs %(model)s, not %(target)s"), {"model": repr(case.process_version.model),
                                                               "target": repr(target.model)})
    if case.process_version.number >= target.number:
        return Reason(N_("it is already on version %(n)s"), {"n": case.process_version.number})
    if case.suspended_at is not None:
        return Reason(N_("it is suspended; resume it first"))
    return None


def _moved(session: Session, case: Case, target: ProcessVersion, host: runner.CaseHost, seen: dict | None = None):
    """Load the case with its own version and move it onto ``target`` (raises MigrationBlocked).

    The moved workflow is walked forward first: a step ahead that would fail on
    the case's data refuses the move too.
    """
    env = get_env(session)
    wf = env.engine.load(case.state, runner.context_for(session, case, host))
    spec, subprocesses = env.specs.get(target.id)
    bundle_diff.migrate_checked(env.engine, wf, target.id, spec, subprocesses, f"version {target.number}")
    trouble = ahead.trouble_ahead(session, wf, target, seen)
    if trouble is not None:
        raise bundle_diff.MigrationBlocked(trouble.template, **trouble.values)
    return wf


def why_not(session: Session, case: Case, target: ProcessVersion, seen: dict | None = None) -> Reason | None:
    """None if ``case`` can move to ``target``, else why not (translatable; nothing is saved)."""
    reason = _blocker(case, target)
    if reason:
        return reason
    try:
        _moved(session, case, target, runner.CaseHost(session, case), seen)
    except bundle_diff.MigrationBlocked as exc:
        return exc.why
    except Exception as exc:  # any failure means: do not move this case
        return Reason(N_("it cannot be moved: %(error)s"), {"error": f"{type(exc).__name__}: {exc}"})
    return None


def can_migrate(session: Session, case: Case, target: ProcessVersion) -> str | None:
    """None if ``case`` can move to ``target``, else the reason in English."""
    reason = why_not(session, case, target)
    return reason.text() if reason else None


def migration_preview(session: Session, model: str, to_n: int) -> list[dict]:
    """Every running case of ``model`` on an older version: can it move to version ``to_n``, and if not why."""
    target = get_version(session, model, to_n)
    cases = session.scalars(select(Case).join(ProcessVersion, Case.process_version_id == ProcessVersion.id)
                            .where(ProcessVersion.model == model, ProcessVersion.number < to_n,
                                   Case.completed_at.is_(None)).order_by(Case.id))
    result, seen = [], {}
    for case in cases:
        reason = why_not(session, case, target, seen)
        result.append({"case_id": case.id, "reference": case.reference,
                       "from_version": case.process_version.number, "can_migrate": reason is None,
                       "reason": reason.text() if reason else None, "why": reason})
    return result


def migrate(session: Session, case: Case, version: ProcessVersion | int, actor: User) -> Case:
    """Move a running case to a newer version of its model; 409 (Conflict) with the reason if it cannot."""
    require_owner(actor)
    target = version if isinstance(version, ProcessVersion) else session.get(ProcessVersion, version)
    if target is None:
        raise NotFound(f"no process version {version}")
    if case.completed_at is not None:
        raise CaseClosed(N_("the case is closed; only running cases move to a new version"))
    reason = _blocker(case, target)
    if reason:
        raise MigrationRefused(f"case {case.reference or case.id} cannot move to version {target.number}: {reason}",
                               reason)
    source = case.process_version
    host = runner.CaseHost(session, case)
    try:
        wf = _moved(session, case, target, host)
    except bundle_diff.MigrationBlocked as exc:
        raise MigrationRefused(f"case {case.reference or case.id} cannot move to version {target.number}: "
                               f"{exc.reason}", exc.why) from exc
    case.process_version = target
    case.process_version_id = target.id
    runner.continue_loaded(
        session, case, wf, host, actor=actor.username,
        audit_first=lambda: audit.record(session, actor=actor.username, action="case.migrated", case_id=case.id,
                                         details={"model": target.model, "from": source.number,
                                                  "to": target.number}))
    return case


def migrate_cases(session: Session, *, actor: User, case_ids: list[int], to_n: int,
                  model: str | None = None) -> list[dict]:
    """Migrate each case it can; report per case. A case that cannot move is left as it was."""
    require_owner(actor)
    results = []
    for case_id in case_ids:
        case = session.get(Case, case_id)
        if case is None:
            results.append({"case_id": case_id, "reference": None, "migrated": False, "reason": N_("no such case")})
            continue
        entry = {"case_id": case.id, "reference": case.reference, "from_version": case.process_version.number}
        try:
            target = get_version(session, model or case.process_version.model, to_n)
            with session.begin_nested():
                migrate(session, case, target, actor)
        except DomainError as exc:
            results.append(entry | {"migrated": False, "reason": exc.message, "why": getattr(exc, "why", None)})
            continue
        results.append(entry | {"migrated": True, "reason": None, "to_version": to_n})
    return results


def migrate_case(session: Session, *, actor: User, case_id: int, to_n: int) -> Case:
    """Migrate one case (by id) to version ``to_n`` of its model."""
    require_owner(actor)
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFound(f"no case with id {case_id}")
    return migrate(session, case, get_version(session, case.process_version.model, to_n), actor)
