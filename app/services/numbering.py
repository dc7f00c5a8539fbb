"""Reference numbers (BYGG 2026-000042): the next number of a series and year, in one statement.

An upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``), so that two transactions asking for the first
number of a year at once do not both insert it: the second waits for the first's row and counts on from it
(PostgreSQL), where a read-then-insert would fail with a unique violation and the case with it.
"""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models import ReferenceSequence


def next_number(session: Session, series: str, year: int) -> int:
    table = ReferenceSequence.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (insert(table).values(series=series, year=year, last_value=1)
                 .on_conflict_do_update(index_elements=[table.c.series, table.c.year],
                                        set_={"last_value": table.c.last_value + 1})
                 .returning(table.c.last_value))
    return session.execute(statement).scalar_one()
