"""Deploying process models and finding their versions."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.engine import process_properties, spec_facts
from app.engine.store import specs_to_json
from app.engine.specs import FORM_DIR, BundleInvalid, Rules, read_bundle
from app.models import CaseStatus, ProcessVersion, User
from handlers import REGISTRY

from . import audit, gate
from . import groups as group_service
from .env import get_env
from .errors import DeployRejected, NotFound
from .form_options import SOURCES

STATUSES = frozenset(s.value for s in CaseStatus)
#: The rules with only the standard groups: for checking diagrams without a database (tests, tools).
RULES = Rules(operations=REGISTRY, groups=frozenset(name for name, _, _ in group_service.STANDARD_GROUPS),
              statuses=STATUSES, option_sources=frozenset(SOURCES))


def rules_for(session: Session) -> Rules:
    """What a deploy is checked against: the handlers, the groups that exist now (not retired), the statuses."""
    active = group_service.list_groups(session, include_retired=False)
    return Rules(operations=REGISTRY, groups=frozenset(g.name for g in active), statuses=STATUSES,
                 group_labels=group_service.labels(active), option_sources=frozenset(SOURCES))


def content_hash(files: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name].encode()).digest())
    return digest.hexdigest()


def read_directory(path: str | Path) -> dict[str, str]:
    """The deployable files under ``path``: *.bpmn, *.dmn, forms (JSON Schema, HTML, form-js), letters/*.html."""
    root = Path(path)
    files = {}
    for pattern in ("*.bpmn", "*.dmn", "forms/*.json", "forms/*.html", "forms/*.htm", "forms/*.form",
                    "letters/*.html"):
        for file in sorted(root.glob(pattern)):
            files[file.relative_to(root).as_posix()] = file.read_text(encoding="utf-8")
    return files


def deploy(session: Session, *, files: dict[str, str], message: str, author: User | None) -> list[ProcessVersion]:
    """Check the bundle, walk it through the deploy gate and store one new version per executable process.

    Nothing is stored unless every file passes and the gate finds no error on any
    path. A process whose content is unchanged since its latest version is not
    deployed again (and not walked again).
    """
    rules = rules_for(session)
    try:
        bundle = read_bundle(files, rules)
    except BundleInvalid as exc:
        raise DeployRejected([p.to_dict() for p in exc.problems]) from exc
    files = {**files, **bundle.generated}  # e.g. forms made from a Camunda export's formData
    own = {model: model_files(bundle, files, model) for model in bundle.specs}
    latest = {model: latest_version(session, model, required=False) for model in bundle.specs}
    unchanged = {model for model, v in latest.items() if v is not None and v.content_hash == content_hash(own[model])}
    if unchanged == set(bundle.specs) and not bundle.problems:
        return list(latest.values())
    report = gate.run(session, bundle, content_hash(files), rules)
    if report.errors:
        raise DeployRejected([f.to_dict() for f in report.errors], gate=report.to_dict())
    env = get_env(session)
    versions = []
    for model, (spec, subprocesses) in bundle.specs.items():
        if model in unchanged:
            versions.append(latest[model])
            continue
        properties = {"lanes": bundle.lane_groups, "process": _properties(bundle, model),
                      "warnings": [w.to_dict() for w in bundle.warnings]}
        version = _store(session, model, own[model], content_hash(own[model]), specs_to_json(spec, subprocesses),
                         message, author, report.only(model, own[model]), properties)
        env.specs.put(version.id, version.spec_json)
        versions.append(version)
    return versions


def model_files(bundle, files: dict[str, str], model: str) -> dict[str, str]:
    """The files one process's version keeps: its diagram and those of the processes it calls, the forms they
    name, the decision files when it decides, and every other kind of file; not the other processes' diagrams
    and forms (so changing one process of a folder does not give the others a new version)."""
    spec, subprocesses = bundle.specs[model]
    specs = [spec, *[s for s in subprocesses.values() if s is not None]]
    diagrams = {bundle.element_lines.get(s.name, (None,))[0] for s in specs}
    forms = {f"{FORM_DIR}{name}" for s in specs for name in spec_facts.forms(s)}
    decides = any(spec_facts.decides(s) for s in specs)

    def keep(name: str) -> bool:
        if name.endswith(".bpmn"):
            return name in diagrams
        if name.endswith(".dmn"):
            return decides
        if name.startswith(FORM_DIR) and name.endswith(".json"):
            return name in forms
        return True

    return {name: text for name, text in files.items() if keep(name)}


def _properties(bundle, model: str) -> dict:
    """What the version stores about its process: the diagram's properties and the start form's name."""
    props = bundle.process_properties.get(model) or process_properties.normalise(model, None, {})
    spec, _ = bundle.specs[model]
    return props | {"start_form": spec_facts.start_form(spec)}


def _store(session: Session, model: str, files: dict[str, str], digest: str, spec_json: str, message: str,
           author: User | None, report, properties: dict) -> ProcessVersion:
    number = (session.scalar(select(func.max(ProcessVersion.number)).where(ProcessVersion.model == model)) or 0) + 1
    verdict = report.to_dict()
    version = ProcessVersion(model=model, number=number, files=dict(files), content_hash=digest, spec_json=spec_json,
                             message=message, properties=properties, author_id=author.id if author else None,
                             created_at=utcnow(), gate_report=verdict)
    session.add(version)
    session.flush()
    warnings = len(properties.get("warnings") or [])
    audit.record(session, actor=author.username if author else "system", action="process.deployed",
                 details={"model": model, "version": number, "hash": digest, "message": message,
                          **({"warnings": warnings} if warnings else {}),
                          "gate": {"verdict": verdict["verdict"], "summary": verdict["summary"],
                                   "warnings": len(verdict["warnings"])}})
    return version


def deploy_directory(session: Session, path: str | Path, *, message: str = "deploy from processes/",
                     author: User | None = None) -> list[ProcessVersion]:
    return deploy(session, files=read_directory(path), message=message, author=author)


def latest_version(session: Session, model: str, *, required: bool = True) -> ProcessVersion | None:
    version = session.scalar(select(ProcessVersion).where(ProcessVersion.model == model)
                             .order_by(ProcessVersion.number.desc()).limit(1))
    if version is None and required:
        raise NotFound(f"no deployed process named {model!r}")
    return version


def form_schema(version: ProcessVersion, name: str | None) -> dict | None:
    """The parsed JSON Schema of form ``name`` in ``version`` (None if no form)."""
    if not name:
        return None
    text = version.files.get(f"forms/{name}")
    return json.loads(text) if text is not None else None


def version_specs(session: Session, version: ProcessVersion) -> tuple:
    """The parsed (spec, subprocess specs) of a version, from the process-wide cache."""
    return get_env(session).specs.get(version.id)


def start_form_name(session: Session, version: ProcessVersion) -> str | None:
    spec, _ = version_specs(session, version)
    return spec_facts.start_form(spec)


def message_names(session: Session, version: ProcessVersion) -> set[str]:
    """Every message the process can catch."""
    return spec_facts.message_names(*version_specs(session, version))
