"""Deploying process models and finding their versions."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition

from app.clock import utcnow
from app.engine import process_properties
from app.engine.store import specs_to_json
from app.engine.specs import BundleInvalid, Rules, parse_bundle
from app.models import CaseStatus, ProcessVersion, User
from handlers import REGISTRY

from . import audit
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
    """Validate the bundle and store one new version per executable process.

    Nothing is stored unless every file passes. A process whose content is
    unchanged since its latest version is not deployed again.
    """
    try:
        bundle = parse_bundle(files, rules_for(session))
    except BundleInvalid as exc:
        raise DeployRejected([p.to_dict() for p in exc.problems]) from exc
    files = {**files, **bundle.generated}  # e.g. forms made from a Camunda export's formData
    env = get_env(session)
    digest = content_hash(files)
    versions = []
    for model, (spec, subprocesses) in bundle.specs.items():
        latest = latest_version(session, model, required=False)
        if latest is not None and latest.content_hash == digest:
            versions.append(latest)
            continue
        number = (session.scalar(select(func.max(ProcessVersion.number))
                                 .where(ProcessVersion.model == model)) or 0) + 1
        version = ProcessVersion(model=model, number=number, files=dict(files), content_hash=digest,
                                 spec_json=specs_to_json(spec, subprocesses), message=message,
                                 properties={"lanes": bundle.lane_groups,
                                             "warnings": [w.to_dict() for w in bundle.warnings],
                                             "process": bundle.process_properties.get(model)
                                             or process_properties.normalise(model, None, {})},
                                 author_id=author.id if author else None, created_at=utcnow())
        session.add(version)
        session.flush()
        env.specs.put(version.id, version.spec_json)
        audit.record(session, actor=author.username if author else "system", action="process.deployed",
                     details={"model": model, "version": number, "hash": digest, "message": message,
                              **({"warnings": len(bundle.warnings)} if bundle.warnings else {})})
        versions.append(version)
    return versions


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
    for ts in spec.task_specs.values():
        if type(ts).__name__ == "StartEvent":
            form = (getattr(ts, "extensions", {}) or {}).get("formJsonSchemaFilename")
            if form:
                return form
            props = (getattr(ts, "extensions", {}) or {}).get("properties") or {}
            if props.get("form"):
                return props["form"]
    return None


def message_names(session: Session, version: ProcessVersion) -> set[str]:
    """Every message the process can catch."""
    spec, subprocesses = version_specs(session, version)
    names = set()
    for s in [spec, *[v for v in subprocesses.values() if v is not None]]:
        for ts in s.task_specs.values():
            ed = getattr(ts, "event_definition", None)
            for d in getattr(ed, "event_definitions", None) or ([ed] if ed else []):
                if isinstance(d, MessageEventDefinition):
                    names.add(d.name)
    return names
