"""The transaction boundary of a request.

A request has one unit of work (``db()``). It commits at the end of an unsafe
request only if no exception escaped the view, whatever the response looks
like; anything that escapes rolls it back (the error handlers call ``abort``
before they render). Safe requests (GET, HEAD, OPTIONS) only read.

A view that needs a second, separate transaction (store a message, then
deliver it) calls ``run``: the function gets its own unit of work, which
commits when it returns and rolls back when it raises.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, g, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.responses import error_response
from app.runtime import Runtime
from app.services.errors import ConcurrentUpdate

log = logging.getLogger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
T = TypeVar("T")


def runtime() -> Runtime:
    return current_app.extensions["lotsen"]


def _writes() -> bool:
    return request.method not in SAFE_METHODS and not g.get("uow_aborted", False)


def db() -> Session:
    """The request's session (created on first use)."""
    if "db_session" not in g:
        session = runtime().db.new_session(write=_writes())
        session.info["read_only"] = not _writes()
        g.db_session = session
    return g.db_session


def abort() -> None:
    """Roll the request's unit of work back; the rest of the request only reads."""
    g.uow_aborted = True
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()


def run(fn: Callable[[Session], T], *, write: bool = True) -> T:
    """Run ``fn`` in a unit of work of its own: committed if it returns, rolled back if it raises."""
    with runtime().db.unit_of_work(write=write) as session:
        return fn(session)


def detached(fn: Callable[[Session], T]) -> T:
    """Read an object in a short read-only unit of work and hand it out detached.

    Authentication uses it, so that a request's own unit of work starts only
    when the view needs it (on SQLite a writing unit of work holds the write
    lock from its first statement).
    """
    def read(session: Session) -> T:
        found = fn(session)
        if found is not None:
            session.expunge(found)
        return found

    return run(read, write=False)


def _commit(session: Session) -> None:
    try:
        session.commit()
    except (StaleDataError, OperationalError) as exc:
        session.rollback()
        log.warning("commit failed: %s", exc)
        raise ConcurrentUpdate("the case was changed by someone else at the same time; reload and try again") \
            from exc


def _refuse_writes(session: Session) -> None:
    """A read-only request that tried to write is a programming error: say so loudly in tests."""
    if session.info.get("wrote") and current_app.testing:
        session.rollback()
        raise RuntimeError(f"{request.method} {request.path} wrote to the database; safe requests only read")


def init_app(app: Flask) -> None:
    @app.after_request
    def _finish(response):
        session: Session | None = g.pop("db_session", None)
        if session is None:
            return response
        try:
            if _writes():
                _commit(session)
            else:
                _refuse_writes(session)
                session.rollback()
        except ConcurrentUpdate as exc:
            return error_response(exc)
        finally:
            session.close()
        return response

    @app.teardown_request
    def _cleanup(exc):
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()
