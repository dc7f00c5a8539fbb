"""Limits on what a request may carry, checked before anything reaches the database.

- Ids: a database id is a positive 32-bit integer (PostgreSQL ``integer``). An
  ``<int:...>`` in a route only matches such numbers, so a larger one is a 404
  like any id that does not exist, never a database overflow.
- JSON: bodies nested deeper than ``MAX_JSON_DEPTH`` are refused with 400 (a
  deep enough body would otherwise exhaust the parser's recursion).
- NUL characters: PostgreSQL text cannot hold them, so a path, query, form or
  JSON string carrying one is refused with 400 on every database alike.
- Numbers: ``NaN``, ``Infinity`` and numbers too large for a float (``1e999``)
  are not JSON (PostgreSQL's ``jsonb`` refuses them); integers longer than
  Python converts (``MAX_INT_DIGITS``) would crash the parser. All are 400.
"""
from __future__ import annotations

import json
import math
import sys
from typing import Any

from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from app.ids import MAX_DB_ID

MAX_JSON_DEPTH = 32
NUL = "\x00"
MAX_INT_DIGITS = sys.get_int_max_str_digits() or 4300


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` for ids: a positive integer that fits the database's integer column."""

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_DB_ID,
                 signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _depth_and_nul(value: Any) -> tuple[int, bool]:
    """(nesting depth, whether any key or string holds a NUL) of a parsed JSON value, without recursion."""
    deepest, has_nul = 0, False
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, depth)
            has_nul = has_nul or any(NUL in k for k in item)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in item)
        elif isinstance(item, str):
            has_nul = has_nul or NUL in item
    return deepest, has_nul


def _no_constant(name: str):
    raise BadRequest(f"the JSON holds {name}, which is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadRequest(f"the JSON number {text[:40]} is too large to hold")
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise BadRequest(f"the JSON holds an integer of more than {MAX_INT_DIGITS} digits")
    return int(text)


def loads(text: str | bytes) -> Any:
    """Parse JSON; malformed JSON raises ``json.JSONDecodeError``; too deep, with NUL or with a number JSON
    cannot carry (NaN, Infinity, 1e999, thousands of digits) a 400 ``BadRequest``."""
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_int)
    except RecursionError:
        raise BadRequest(f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels") from None
    depth, has_nul = _depth_and_nul(value)
    if depth > MAX_JSON_DEPTH:
        raise BadRequest(f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels")
    if has_nul:
        raise BadRequest("the JSON holds a NUL character (\\u0000), which cannot be stored")
    return value


class LimitedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with ``loads`` limited as above (``request.get_json`` uses it)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s)


def _within_limit() -> bool:
    """A body over the size limit is left to the view, which says how large uploads may be."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return limit is None or (request.content_length or 0) <= limit


def _refuse_nul() -> None:
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data") and _within_limit():
        values += [*request.form.keys(), *request.form.values()]
    if any(NUL in v for v in values):
        raise BadRequest("the request holds a NUL character (%00), which cannot be stored")


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseIdConverter
    app.json = LimitedJSONProvider(app)
    app.before_request(_refuse_nul)
