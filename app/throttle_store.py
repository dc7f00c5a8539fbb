"""The sign-in throttle's counts in the database, so that every server process sees the same ones.

A storage for the ``limits`` library (fixed windows, as Flask-Limiter uses by default): one row per
limit and key, incremented with a single upsert, so two workers counting the same account never lose a
count. Used on PostgreSQL, where several worker processes serve; SQLite runs one process, counts in
memory, and would have the counter's own transaction wait for the request's write lock.
"""
from __future__ import annotations

import time

from limits.storage import Storage
from sqlalchemy import case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.models import ThrottleCounter

SCHEME = "lotsen+database"


class DatabaseStorage(Storage):
    """Counts in the ``throttle_counter`` table, through ``engine`` (passed as a storage option)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, *, engine: Engine, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.engine = engine

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        table = ThrottleCounter.__table__
        stmt = insert(table).values(key=key, count=amount, expires_at=now + expiry)
        expired = table.c.expires_at <= now
        stmt = stmt.on_conflict_do_update(index_elements=[table.c.key], set_={
            "count": case((expired, amount), else_=table.c.count + amount),
            "expires_at": case((expired, now + expiry), else_=table.c.expires_at),
        }).returning(table.c.count)
        with self.engine.begin() as conn:
            count = int(conn.execute(stmt).scalar_one())
            conn.execute(delete(table).where(table.c.expires_at <= now))  # other keys' ended windows
        return count

    def _row(self, key: str):
        with self.engine.connect() as conn:
            return conn.execute(select(ThrottleCounter.count, ThrottleCounter.expires_at)
                                .where(ThrottleCounter.key == key)).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row is not None and row.expires_at > time.time() else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self.engine.begin() as conn:
            return conn.execute(delete(ThrottleCounter)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(ThrottleCounter).where(ThrottleCounter.key == key))

