"""One unit of work per request: safe methods read, unsafe methods write and
commit once, after the view succeeded and before the response leaves."""
from __future__ import annotations

import logging

from flask import Flask, current_app, g, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.runtime import Runtime

log = logging.getLogger(__name__)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def runtime() -> Runtime:
    return current_app.extensions["lotsen"]


def db() -> Session:
    """The request's session (created on first use)."""
    if "db_session" not in g:
        g.db_session = runtime().db.new_session(write=request.method not in SAFE_METHODS)
    return g.db_session


def init_app(app: Flask) -> None:
    @app.after_request
    def _commit(response):
        session: Session | None = g.pop("db_session", None)
        if session is None:
            return response
        try:
            if request.method not in SAFE_METHODS and response.status_code < 400:
                session.commit()
            else:
                session.rollback()
        except (StaleDataError, OperationalError) as exc:
            session.rollback()
            log.warning("commit failed: %s", exc)
            from app.errors import conflict_response

            return conflict_response("the case was changed by someone else at the same time; reload and try again")
        finally:
            session.close()
        return response

    @app.teardown_request
    def _cleanup(exc):
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()
