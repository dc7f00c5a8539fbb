"""The API blueprint and what its route modules share: token authentication, JSON bodies, health and spec."""
from __future__ import annotations

import json
from functools import wraps
from pathlib import Path

from flask import Blueprint, g, jsonify, request, url_for

from app import input_limits, uow
from app.services import health, users
from app.services.errors import InvalidInput, Unauthorized
from app.uow import db

bp = Blueprint("api", __name__)
OPENAPI = Path(__file__).with_name("openapi.json")


def api_user(view):
    """Authenticate the request by its Bearer token (cookies are ignored)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise Unauthorized("send an API token as 'Authorization: Bearer <token>'")
        token = header[len("Bearer "):].strip()
        g.api_user = uow.detached(lambda session: users.user_for_token(session, token))
        return view(*args, **kwargs)

    return wrapper


def json_body(*, required: tuple[str, ...] = (), allowed: tuple[str, ...] | None = None) -> dict:
    """The request's JSON object, with a clear 4xx when it is not one."""
    if not request.data:
        body = {}
    else:
        try:
            body = input_limits.loads(request.get_data(as_text=True))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InvalidInput([{"field": "(body)", "message": f"malformed JSON: {exc}"}]) from None
    if not isinstance(body, dict):
        raise InvalidInput([{"field": "(body)", "message": "must be a JSON object"}])
    errors = [{"field": f, "message": "is required"} for f in required if f not in body]
    if allowed is not None:
        errors += [{"field": f, "message": "is not a known field"} for f in body if f not in allowed]
    if errors:
        raise InvalidInput(errors)
    return body


def with_next_link(response, page, endpoint: str):
    """Add ``Link: <…>; rel="next"`` (same query, the next cursor) when ``page`` has a next page."""
    if page.next:
        url = url_for(endpoint, **{**request.args.to_dict(), "after": page.next})
        response.headers["Link"] = f'<{url}>; rel="next"'
    return response


@bp.get("/healthz")
def healthz():
    health.check(db())
    return jsonify({"status": "ok"})


@bp.get("/api/openapi.json")
def openapi():
    return jsonify(json.loads(OPENAPI.read_text()))

