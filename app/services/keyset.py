"""Keyset pagination: a page of rows after the last one seen, never an OFFSET.

A list is ordered by a few sort keys that end in a unique column (the id), so
"the rows after this one" is a range condition an index answers directly, at
the same cost on page 1 and on page 10,000. The position travels as an opaque
cursor (URL-safe base64 of the last row's key values); a cursor that does not
decode, or that belongs to another sort, is refused with a clear error.
"""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import literal, tuple_
from sqlalchemy.sql.elements import ColumnElement

from .errors import InvalidInput

T = TypeVar("T")

#: Rows on one page unless the caller asks for another size; the largest size anyone may ask for.
DEFAULT_SIZE = 50
MAX_SIZE = 500


@dataclass(frozen=True)
class Key:
    """One sort key: a column that is never NULL, and how the cursor stores its value."""

    column: Any
    kind: str = "str"  # str, int, date or datetime


@dataclass
class Page(Generic[T]):
    """One page of rows and the cursor of the next page (None on the last page)."""

    items: list[T]
    next: str | None = None
    size: int = DEFAULT_SIZE
    extra: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def page_size(raw: str | int | None, *, field_name: str = "limit") -> int:
    """The page size asked for (default ``DEFAULT_SIZE``); a bad or too large size is refused."""
    if raw in (None, ""):
        return DEFAULT_SIZE
    try:
        size = int(raw)
    except (TypeError, ValueError):
        size = 0
    if not 1 <= size <= MAX_SIZE:
        raise InvalidInput([{"field": field_name, "message": f"must be a whole number from 1 to {MAX_SIZE}"}])
    return size


def order_by(keys: Sequence[Key], *, descending: bool = False) -> list:
    """ORDER BY clauses for ``keys``, all in one direction (so one index serves them)."""
    return [key.column.desc() if descending else key.column.asc() for key in keys]


def after(keys: Sequence[Key], values: Sequence, *, descending: bool = False) -> ColumnElement:
    """The condition "comes after the row whose sort keys are ``values``": a row-value comparison an index
    on the same columns answers as a range."""
    columns = tuple_(*(k.column for k in keys))
    bound = tuple_(*(literal(v, type_=k.column.type) for k, v in zip(keys, values, strict=True)))
    return columns < bound if descending else columns > bound


def encode(sort: str, keys: Sequence[Key], row_values: Sequence) -> str:
    """The cursor of the row with these key values, for this sort."""
    payload = [sort] + [_dump(v) for v in row_values]
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None, sort: str, keys: Sequence[Key], *, field_name: str = "after") -> list | None:
    """The key values in ``cursor`` (None for the first page); a foreign or broken cursor is refused."""
    if not cursor:
        return None
    bad = InvalidInput([{"field": field_name, "message": "is not a position in this list; start from the first page"}])
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad from None
    if not isinstance(payload, list) or len(payload) != len(keys) + 1 or payload[0] != sort:
        raise bad
    try:
        return [_load(v, key) for v, key in zip(payload[1:], keys, strict=True)]
    except (TypeError, ValueError):
        raise bad from None


def _dump(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _load(value, key: Key):
    if value is None:
        raise ValueError("a sort key is never NULL")
    if key.kind == "datetime":
        return datetime.fromisoformat(value)
    if key.kind == "date":
        return date.fromisoformat(value)
    if key.kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError("not an integer")
        return value
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value
