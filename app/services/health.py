"""Is the database reachable?"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def check(session: Session) -> None:
    """Raise if the database does not answer."""
    session.execute(text("SELECT 1"))
