"""Sign-in throttling: failed logins are counted per account and per address.

Only refused sign-ins count (status 401), so people who type their password
right are never slowed down. Past either limit the login page answers 429 with
``Retry-After`` until the window has passed, whatever is typed.

The counts live in the database on PostgreSQL, so every worker process sees
the same ones (``app.throttle_store``), and in memory on SQLite, which runs one
process. ``LOTSEN_RATELIMIT_STORAGE_URI`` may name another store of the limits
library instead (e.g. ``redis://host:6379``).
"""
from __future__ import annotations

import math
import time

from flask import Flask, make_response, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address

from app.config import Settings
from app.runtime import Runtime
from app.services.users import tidy_typed_name
from app.throttle_store import SCHEME
from app.web.auth import LoginForm


def _account_key() -> str:
    return "account:" + tidy_typed_name(request.form.get("username", "")).casefold()


def _refused(response) -> bool:
    return response.status_code == 401


def _too_many(limit: RequestLimit):
    """The login page with the wait in words, and ``Retry-After`` (only here: a 401 is no reason to wait)."""
    seconds = max(1, int(limit.reset_at - time.time()))
    message = _("Too many failed sign-ins for this account or from this address. "
                "Try again in %(minutes)s minutes.", minutes=math.ceil(seconds / 60))
    response = make_response(render_template("auth/login.html", form=LoginForm(), error=message), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


def _storage(settings: Settings, runtime: Runtime) -> tuple[str, dict]:
    """The limiter's storage URI and options: the setting, or the database on PostgreSQL, else memory."""
    if settings.ratelimit_storage_uri:
        return settings.ratelimit_storage_uri, {}
    if runtime.db.is_sqlite:
        return "memory://", {}
    return f"{SCHEME}://", {"engine": runtime.db.write_engine}


def init_app(app: Flask, settings: Settings, runtime: Runtime) -> Limiter:
    """Throttle the login view of ``app`` (call after the blueprints are registered)."""
    uri, options = _storage(settings, runtime)
    limiter = Limiter(get_remote_address, app=app, storage_uri=uri, storage_options=options,
                      headers_enabled=False, key_prefix="lotsen")
    shared = {"methods": ["POST"], "deduct_when": _refused, "on_breach": _too_many}
    view = app.view_functions["auth.login"]
    view = limiter.limit(settings.login_attempts_per_account, key_func=_account_key, **shared)(view)
    view = limiter.limit(settings.login_attempts_per_address, key_func=get_remote_address, **shared)(view)
    app.view_functions["auth.login"] = view
    return limiter
