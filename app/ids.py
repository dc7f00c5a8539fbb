"""Database ids: positive integers that fit PostgreSQL's ``integer`` column."""
from __future__ import annotations

MAX_DB_ID = 2**31 - 1


def db_id(text: str | None) -> int | None:
    """``text`` as a database id when it is one (ASCII digits, within range), else None."""
    if not text or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 1 <= value <= MAX_DB_ID else None
