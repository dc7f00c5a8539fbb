"""Exactly one scheduler per database: a lease that one process at a time holds.

Every process that could run the scheduler (``lotsen scheduler``, ``lotsen serve`` and each of its worker
processes) asks for the lease before each run and does the run only while it holds it. The others wait and
ask again at their next poll, so when the holder stops (or dies: its connection or file closes with it) the
next one takes over within one poll interval.

- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) held on a dedicated connection, so the
  lock lives exactly as long as that connection; a holder that lost its connection has lost the lease too,
  and notices before its next run.
- SQLite: an exclusive ``flock`` on a file beside the database (SQLite serves one machine, so does the lock).
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

#: The advisory lock key of the scheduler lease (the audit chain uses another, ``audit.CHAIN_LOCK``).
SCHEDULER_LOCK = 4243


class PostgresLease:
    """The scheduler lease as an advisory lock held on a connection of its own (outside any pool)."""

    def __init__(self, url: str):
        # named, so that pg_stat_activity shows which process runs the scheduler
        name = f"lotsen scheduler {socket.gethostname()}:{os.getpid()}"
        self._engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT",
                                     connect_args={"application_name": name[:63]})
        self._conn: Connection | None = None

    def hold(self) -> bool:
        """True while this process holds the lease; takes it when nobody does."""
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                return True
            except DBAPIError:  # the connection died, and the lock with it: someone else may hold it now
                log.warning("the scheduler lease's connection was lost; asking for the lease again")
                self._drop()
        try:
            conn = self._engine.connect()
        except DBAPIError:
            log.warning("the database cannot be reached; the scheduler waits")
            return False
        if conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": SCHEDULER_LOCK}).scalar():
            self._conn = conn
            return True
        conn.close()
        return False

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(DBAPIError):
                conn.close()

    def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(DBAPIError):
                self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEDULER_LOCK})
        self._drop()
        self._engine.dispose()


class FileLease:
    """The scheduler lease as an exclusive lock on a file (one machine, as SQLite is)."""

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def hold(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the file releases its lock


def lease_for(database_url: str, instance_dir: str) -> PostgresLease | FileLease:
    """The scheduler lease of the database at ``database_url``."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return PostgresLease(database_url)
    if url.database and url.database != ":memory:":
        return FileLease(Path(f"{url.database}.scheduler-lock"))
    return FileLease(Path(instance_dir) / "scheduler.lock")
