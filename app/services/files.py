"""Files that belong to a transaction: they appear when it commits and never when it rolls back.

A file is written to a staging name beside its place. Right before the
session commits it is moved into place; if the transaction then rolls back
(or was rolled back before), the staged or newly placed file is removed. So a
refused upload leaves no file behind, and a committed row never points at a
file that is not there.
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

STAGED = "staged_files"
REMOVED = "removed_files"


@dataclass
class _Staged:
    staging: Path
    target: Path
    placed: bool = False


def write(session: Session, target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` as part of the session's transaction (content-addressed: kept if present)."""
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.{uuid.uuid4().hex}.staged"
    with open(staging, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    session.info.setdefault(STAGED, []).append(_Staged(staging, target))


@event.listens_for(Session, "before_commit")
def _place(session: Session) -> None:
    for staged in session.info.get(STAGED, []):
        if staged.placed:
            continue
        if staged.target.exists():
            staged.staging.unlink(missing_ok=True)
        else:
            staged.staging.replace(staged.target)
            staged.placed = True


def remove(session: Session, target: Path) -> None:
    """Delete ``target`` when the session's transaction commits (kept if it rolls back)."""
    session.info.setdefault(REMOVED, []).append(target)


@event.listens_for(Session, "after_commit")
def _forget(session: Session) -> None:
    session.info.pop(STAGED, None)
    for target in session.info.pop(REMOVED, []):
        target.unlink(missing_ok=True)


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(REMOVED, None)
    for staged in session.info.pop(STAGED, []):
        staged.staging.unlink(missing_ok=True)
        if staged.placed:
            staged.target.unlink(missing_ok=True)
