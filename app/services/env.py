"""The environment a service call runs in, carried by its session."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.config import Settings
from app.engine.runtime import ProcessEngine
from app.engine.store import SpecCache


@dataclass
class Env:
    settings: Settings
    engine: ProcessEngine
    specs: SpecCache


def get_env(session: Session) -> Env:
    """The ``Env`` the session was created with (see ``app.runtime``)."""
    return session.info["env"]
