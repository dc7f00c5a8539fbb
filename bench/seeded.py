"""One cache of seeded databases for the bench's inbox and dashboard lines (10k / 100k / 1M cases).

Seeding 1M cases costs about a quarter of an hour of CPU, so a seeded database is kept and reused by later
``make bench`` runs while nothing that shapes its data has changed. An entry is keyed by (``key()``):

* the seed code (``app/seed``), the clock rules, the figures projection and the totals it fills rows with,
* the schema (``app/models``) and the migrations (``migrations/versions``, i.e. their head),
* the deployed processes (``processes/``), and the size and the random seed.

An entry older than ``LOTSEN_BENCH_CACHE_DAYS`` (default 7) is seeded again: the history is drawn up to the
day it was seeded, and the dashboard's default period is the twelve months up to today.

Sizes are built cumulatively: 100k starts from a copy of the cached 10k and seeds 90k more (seed value = the
size, as before the cache). Where they live:

* SQLite: ``$LOTSEN_BENCH_CACHE`` (default ``~/.cache/lotsen-bench``), one directory per size holding the
  database file, its instance directory (the audit key that signs its checkpoints) and ``meta.json``;
* PostgreSQL (``LOTSEN_BENCH_DATABASE_URL``): one database per size next to the one named, e.g.
  ``lotsen_bench_s100000`` (made with ``CREATE DATABASE … TEMPLATE`` from the smaller one), and its
  ``meta.json`` and instance directory under the same cache directory.

Entries under another key are deleted when a new one is built (a 1M SQLite file is about 10 GB). The bench
only reads a cached database: the API token it uses is issued when the entry is built.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, UTC
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app.config import Settings
from app.models import Base, HumanTask, TaskStatus, User
from app.runtime import build_runtime

ROOT = Path(__file__).resolve().parent.parent
#: What shapes the seeded data (files or directories under the project root).
KEYED = ("app/seed", "app/services/clocks.py", "app/services/insight/figures.py", "app/services/insight/rollup.py",
         "app/services/insight/task_totals.py", "app/services/insight/nki.py", "app/models", "migrations/versions",
         "processes")
STAFF_USER = "seed.coordinator1"


@dataclass
class Seeded:
    """A seeded database ready to measure."""

    cases: int
    url: str
    instance_dir: str
    token: str  # an API token of ``STAFF_USER``
    open_tasks: int
    seeded_at: str  # ISO time the entry was finished
    seed_s: float  # wall seconds its own seeding took (on top of the smaller size it started from)
    seed_cpu_s: float  # CPU seconds of that seeding (this process)
    reused: bool  # True: taken from the cache in this run

    def settings(self) -> Settings:
        return Settings.from_env({"instance_dir": self.instance_dir, "database_url": self.url,
                                  "processes_dir": str(ROOT / "processes"), "secret_key": "bench-secret",
                                  "smtp_port": 1})

    def describe(self) -> str:
        if self.reused:
            return (f"cached database, seeded {self.seeded_at[:16].replace('T', ' ')} UTC"
                    f" ({self.seed_s:,.0f} s, {self.seed_cpu_s:,.0f} CPU-s)")
        return f"seeded now: {self.seed_s:,.0f} s wall, {self.seed_cpu_s:,.0f} CPU-s"


def cache_dir() -> Path:
    return Path(os.environ.get("LOTSEN_BENCH_CACHE") or Path.home() / ".cache" / "lotsen-bench")


def max_age() -> timedelta:
    return timedelta(days=float(os.environ.get("LOTSEN_BENCH_CACHE_DAYS", "7")))


def key() -> str:
    """A digest of everything that shapes the seeded data (see the module docstring)."""
    digest = hashlib.sha256(b"seed value = size")
    for name in KEYED:
        path = ROOT / name
        files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts) \
            if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def databases(sizes: list[int], url: str | None = None, cache: Path | None = None) -> Iterator[Seeded]:
    """Each size's seeded database, smallest first: from the cache when it is current, else seeded now."""
    cache = cache or cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    store = PostgresStore(url, cache) if url else SqliteStore(cache)
    with _locked(cache):
        current, previous = key(), None
        store.forget_other_keys(current)
        for size in sorted(set(sizes)):
            entry = store.load(current, size)
            if entry is None:
                entry = _build(store, current, size, previous)
            previous = entry
            yield entry


def _build(store, current: str, size: int, previous: Seeded | None) -> Seeded:
    from app.seed import seed

    store.start(current, size, previous)
    settings = store.settings(size)
    rt = build_runtime(settings)
    try:
        if previous is None:
            Base.metadata.drop_all(rt.db.write_engine)
            Base.metadata.create_all(rt.db.write_engine)
        begun, cpu = time.perf_counter(), time.process_time()
        seed(rt, cases=size - (previous.cases if previous else 0), seed=size)
        seed_s, seed_cpu_s = time.perf_counter() - begun, time.process_time() - cpu
        from app.services import users as user_service

        with rt.db.unit_of_work() as session:
            token = user_service.issue_token(session, session.scalar(
                select(User).where(User.username == STAFF_USER)))
        with rt.db.unit_of_work(write=False) as session:
            open_tasks = session.scalar(select(func.count()).select_from(HumanTask).where(
                HumanTask.status == TaskStatus.OPEN))
        _analyze(rt)
    finally:
        rt.close()
    entry = Seeded(cases=size, url=settings.database_url, instance_dir=settings.instance_dir, token=token,
                   open_tasks=open_tasks, seeded_at=datetime.now(UTC).isoformat(timespec="seconds"),
                   seed_s=seed_s, seed_cpu_s=seed_cpu_s, reused=False)
    store.finish(current, size, entry)
    return entry


def _analyze(rt) -> None:
    """Planner statistics after the bulk load (SQLite plans the inbox's queries badly without them), then, on
    SQLite, the WAL moved into the database file so that the file alone is the database."""
    raw = rt.db.write_engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("ANALYZE")
        raw.commit()
        if rt.db.is_sqlite:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


@contextmanager
def _locked(cache: Path):
    """One bench at a time builds or reads the cache (a second one waits)."""
    with open(cache / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class SqliteStore:
    def __init__(self, cache: Path):
        self.cache = cache

    def _dir(self, current: str, size: int) -> Path:
        return self.cache / f"sqlite-{current}-{size}"

    def forget_other_keys(self, current: str) -> None:
        for old in self.cache.glob("sqlite-*"):
            if not old.name.startswith(f"sqlite-{current}-"):
                shutil.rmtree(old, ignore_errors=True)

    def load(self, current: str, size: int) -> Seeded | None:
        return _load_meta(self._dir(current, size) / "meta.json")

    def settings(self, size: int) -> Settings:
        return self._building.settings()

    def start(self, current: str, size: int, previous: Seeded | None) -> None:
        where = self._dir(current, size)
        shutil.rmtree(where, ignore_errors=True)
        (where / "instance").mkdir(parents=True)
        if previous is not None:  # continue from the smaller size: its file and its audit key
            shutil.copyfile(make_url(previous.url).database, where / "db.sqlite3")
            shutil.copytree(previous.instance_dir, where / "instance", dirs_exist_ok=True)
        self._building = Seeded(size, f"sqlite:///{where / 'db.sqlite3'}", str(where / "instance"), "", 0, "",
                                0.0, 0.0, False)

    def finish(self, current: str, size: int, entry: Seeded) -> None:
        _write_meta(self._dir(current, size) / "meta.json", entry)


class PostgresStore:
    """One database per size, named after the database of ``url`` (``<name>_s<size>``)."""

    def __init__(self, url: str, cache: Path):
        self.url, self.cache = make_url(url), cache

    def _name(self, size: int) -> str:
        return f"{self.url.database}_s{size}"

    def _admin(self):
        return create_engine(self.url.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def _meta(self, current: str, size: int) -> Path:
        return self.cache / f"pg-{self.url.host}-{self._name(size)}-{current}" / "meta.json"

    def forget_other_keys(self, current: str) -> None:
        prefix = f"pg-{self.url.host}-{self.url.database}_s"
        for old in self.cache.glob(prefix + "*"):
            if not old.name.endswith(f"-{current}"):
                shutil.rmtree(old, ignore_errors=True)  # its database is dropped when the size is rebuilt

    def _exists(self, size: int) -> bool:
        engine = self._admin()
        try:
            with engine.connect() as conn:
                return bool(conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                        {"n": self._name(size)}))
        finally:
            engine.dispose()

    def load(self, current: str, size: int) -> Seeded | None:
        entry = _load_meta(self._meta(current, size))
        return entry if entry is not None and self._exists(size) else None

    def settings(self, size: int) -> Settings:
        return self._building.settings()

    def start(self, current: str, size: int, previous: Seeded | None) -> None:
        meta = self._meta(current, size)
        shutil.rmtree(meta.parent, ignore_errors=True)
        (meta.parent / "instance").mkdir(parents=True)
        engine = self._admin()
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self._name(size)}"'))
                template = f' TEMPLATE "{make_url(previous.url).database}"' if previous else ""
                conn.execute(text(f'CREATE DATABASE "{self._name(size)}"{template}'))
        finally:
            engine.dispose()
        if previous is not None:
            shutil.copytree(previous.instance_dir, meta.parent / "instance", dirs_exist_ok=True)
        url = self.url.set(database=self._name(size)).render_as_string(hide_password=False)
        self._building = Seeded(size, url, str(meta.parent / "instance"), "", 0, "", 0.0, 0.0, False)

    def finish(self, current: str, size: int, entry: Seeded) -> None:
        _write_meta(self._meta(current, size), entry)


def _load_meta(path: Path) -> Seeded | None:
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    seeded_at = datetime.fromisoformat(found["seeded_at"])
    if datetime.now(UTC) - seeded_at > max_age():
        return None
    return Seeded(**{**found, "reused": True})


def _write_meta(path: Path, entry: Seeded) -> None:
    fields = {k: v for k, v in entry.__dict__.items() if k != "reused"}
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(fields, indent=1))
    partial.replace(path)  # the entry counts only once it is complete
