"""Database engines and units of work.

SQLite serialises writers: a write unit of work starts with ``BEGIN IMMEDIATE``
so two requests that change cases never interleave read and write (which would
otherwise fail late with SQLITE_BUSY_SNAPSHOT). PostgreSQL relies on the
optimistic version counter on ``case`` instead.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_engine(url: str, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA secure_delete=ON")  # erased personal data does not linger in free pages
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _note_writes(session: Session, _context, _instances) -> None:
    if session.new or session.dirty or session.deleted:
        session.info["wrote"] = True


class Database:
    """Owns the engines; hands out sessions for reading and for writing."""

    def __init__(self, url: str, pool: dict | None = None):
        """``pool``: the server database's connection pool settings (``Settings.pool_options``)."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.read_engine = _sqlite_engine(url, immediate=False)
            self.write_engine = _sqlite_engine(url, immediate=True)
        else:
            self.read_engine = self.write_engine = create_engine(url, **(pool or {"pool_pre_ping": True}))
        self._read = sessionmaker(self.read_engine, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)
        for maker in (self._read, self._write):
            event.listen(maker, "before_flush", _note_writes)

    def new_session(self, *, write: bool) -> Session:
        return (self._write if write else self._read)()

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Session]:
        """Yield a session; commit once if the block succeeds, else roll back."""
        session = self.new_session(write=write)
        try:
            yield session
            if write:
                session.commit()
            else:
                session.rollback()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def flush_erased(self) -> None:
        """After erasing personal data: on SQLite, move the WAL into the database file and empty it.

        (The WAL keeps earlier versions of changed pages until a checkpoint; with
        ``secure_delete`` the database file then holds no trace of the erased text.)
        """
        if self.is_sqlite:
            raw = self.write_engine.raw_connection()  # outside any transaction: no BEGIN first
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()

    def dispose(self) -> None:
        self.read_engine.dispose()
        if self.write_engine is not self.read_engine:
            self.write_engine.dispose()
