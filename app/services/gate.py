"""The deploy gate as the app runs it: the app's own form rules, groups as they are, a cache by content.

The walk depends only on the files and on what the handlers declare, so its
report is kept per content (a restart, the test fixtures and an unchanged
re-validate do not walk again). Warnings that read the database (groups
without members) are added on every call.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.engine import gate
from app.engine.specs import ParsedBundle, Rules
from app.models import User
from handlers import REGISTRY

from . import form_options
from .env import get_env
from .forms import defaults_from, normalise, validate

_CACHE: OrderedDict[str, gate.GateReport] = OrderedDict()
_CACHE_SIZE = 32
_LOCK = threading.Lock()


def _start_data(schema: Mapping, data: Mapping) -> dict:
    return normalise(schema, validate(schema, data))  # as cases.submit_case does


def _task_data(schema: Mapping, data: Mapping) -> dict:
    return validate(schema, data)  # as tasks.complete_now does


def _message_payload(name: str) -> dict:
    return {"received_at": utcnow().isoformat()}  # as messages.send_message adds


def host_rules(settings, scripts=None, forms: Mapping[str, dict] | None = None) -> gate.HostRules:
    return gate.HostRules(start_data=_start_data, task_data=_task_data, defaults=defaults_from,
                          message_payload=_message_payload, scripts=scripts,
                          limits=gate.Limits(max_paths=settings.gate_max_paths, max_steps=settings.gate_max_steps),
                          forms=forms)


def shown_forms(session: Session, forms: Mapping[str, dict]) -> dict[str, dict]:
    """The forms as users get them: choices from the database (``x-options-from``) filled in."""
    return {name: form_options.fill(session, schema) for name, schema in forms.items()}


def declarations_fingerprint(operations: Mapping = REGISTRY) -> str:
    """Changes when a handler is added or declares other parameters or outputs."""
    described = {name: [sorted(op.required), sorted(op.optional), op.returns] for name, op in operations.items()}
    return hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()


def groups_with_members(session: Session) -> frozenset[str]:
    """Work groups at least one active user is in."""
    users = session.scalars(select(User).where(User.deleted_at.is_(None)))
    return frozenset(group for user in users for group in user.work_groups)


def _rules_fingerprint(rules: Rules) -> str:
    described = [sorted(rules.groups), sorted(rules.group_labels.items()), sorted(rules.statuses),
                 sorted(rules.option_sources)]
    return hashlib.sha256(json.dumps(described, default=str).encode()).hexdigest()[:16]


def run(session: Session, bundle: ParsedBundle, content_hash: str, rules: Rules) -> gate.GateReport:
    """The gate's report on ``bundle`` (whose files hash to ``content_hash``, checked against ``rules``),
    with today's group warnings."""
    settings = get_env(session).settings
    forms = shown_forms(session, bundle.forms)
    shown = hashlib.sha256(json.dumps(forms, sort_keys=True, default=str).encode()).hexdigest()[:16]
    key = (f"{content_hash}:{declarations_fingerprint()}:{_rules_fingerprint(rules)}:{shown}:"
           f"{settings.gate_max_paths}:{settings.gate_max_steps}")
    with _LOCK:
        report = _CACHE.get(key)
        if report is not None:
            _CACHE.move_to_end(key)
    if report is None:
        report = gate.check(bundle, REGISTRY, host_rules(settings, get_env(session).engine.scripts, forms))
        with _LOCK:
            _CACHE[key] = report
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    warnings = report.warnings + gate.empty_groups(bundle, groups_with_members(session), rules.group_for)
    return gate.GateReport(errors=list(report.errors), warnings=warnings, coverage=report.coverage,
                           unit_tests=report.unit_tests, seconds=report.seconds)
