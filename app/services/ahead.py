"""Will a case moved onto another version get through the steps ahead of it?

Before a case moves, the migrated workflow (in memory, never saved) is walked
forward with the deploy gate's walker (``app.engine.gate.ahead``): fake
handlers, generated form data, every branch. A step ahead that would fail on the
case's data (a variable the case does not have, a failing script) refuses the
move with a reason in the reader's language. Cases at the same place with the
same kinds of data share one walk.
"""
from __future__ import annotations

import json

from sqlalchemy.orm import Session

from app.engine.gate import ahead
from app.engine.gate.walk import Inputs
from app.engine.words import Reason
from app.models import ProcessVersion
from handlers import REGISTRY

from .env import get_env
from .gate import host_rules, shown_forms


def _forms(version: ProcessVersion) -> dict[str, dict]:
    return {name[len("forms/"):]: json.loads(text) for name, text in version.files.items()
            if name.startswith("forms/") and name.endswith(".json")}


def trouble_ahead(session: Session, wf, target: ProcessVersion, seen: dict | None = None) -> Reason | None:
    """Why ``wf`` (already moved onto ``target``'s specs, not saved) would fail ahead; None if it would not."""
    key = (target.id, *ahead.situation(wf))
    if seen is not None and key in seen:
        return seen[key]
    env = get_env(session)
    spec, subprocesses = env.specs.get(target.id)
    rules = host_rules(env.settings, env.engine.scripts)
    inputs = Inputs(forms=shown_forms(session, _forms(target)), start_data=rules.start_data,
                    task_data=rules.task_data, defaults=rules.defaults, message_payload=rules.message_payload)
    reason = ahead.trouble(env.engine, wf, spec, subprocesses, inputs, REGISTRY, number=target.number,
                           scripts=rules.scripts)
    if seen is not None:
        seen[key] = reason
    return reason
