"""The inbox at scale: seed 10k / 100k (/ 1M) cases, then time one page of open tasks in the database and
over HTTP (a real ``lotsen serve`` on a loopback port), for the usual filters and a deep page.

    .venv/bin/python -m bench.inbox --cases 10000,100000          # SQLite in a temporary directory
    LOTSEN_BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python -m bench.inbox --cases 10000

The databases are seeded cumulatively (10k, then 90k more, …) with ``lotsen seed``'s entry point and kept
between runs (``bench/seeded.py``: the first run pays the seeding; a 1M database takes ~15–30 minutes). On
PostgreSQL the seeded databases are made next to the one named (``<name>_s<size>``). Prints one line per
size: open tasks, database p50/p95 and HTTP p50/p95 over all the queries.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, select

from app.config import Settings
from app.models import User
from app.runtime import build_runtime
from app.services import tasks as task_service
from bench import seeded

ROOT = Path(__file__).resolve().parent.parent
#: (label, query string) of the pages timed; "deep" follows ``next`` this many pages first.
QUERIES = [("first page, oldest", "sort=oldest"), ("closest deadline", "sort=deadline"),
           ("newest", "sort=newest"), ("one group", "group=coordinator&sort=deadline"),
           ("one task type", "name=coordinator_decision&sort=deadline"), ("mine", "mine=1")]
DEEP_PAGES = 20


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def _args(query: str) -> dict:
    args = dict(pair.split("=") for pair in query.split("&"))
    return {"sort": args.get("sort", "oldest"), "group": args.get("group"), "element": args.get("name"),
            "mine": args.get("mine") == "1"}


class SqlClock:
    """Seconds spent executing statements (cursor execute to its return) on the runtime's engines."""

    def __init__(self, rt):
        self.total, self._begun = 0.0, 0.0
        for engine in {rt.db.read_engine, rt.db.write_engine}:
            event.listen(engine, "before_cursor_execute", self._before)
            event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_args) -> None:
        self._begun = time.perf_counter()

    def _after(self, *_args) -> None:
        self.total += time.perf_counter() - self._begun


def time_database(rt, username: str, repeats: int) -> tuple[list[float], list[float]]:
    """(SQL seconds, whole service call CPU seconds) of each page asked for."""
    sql, calls, clock = [], [], SqlClock(rt)

    def timed(session, actor, **kwargs):
        before_sql, before_cpu = clock.total, time.process_time()
        page = task_service.list_tasks(session, actor=actor, **kwargs)
        sql.append(clock.total - before_sql)
        calls.append(time.process_time() - before_cpu)
        return page

    for _, query in QUERIES:
        for _ in range(repeats):
            with rt.db.unit_of_work(write=False) as session:  # a fresh session per page, as a request has
                timed(session, _actor(session, username), **_args(query))
    with rt.db.unit_of_work(write=False) as session:
        cursor, actor = None, _actor(session, username)
        for _ in range(DEEP_PAGES):  # walk to a deep page, then time it
            cursor = task_service.list_tasks(session, actor=actor, sort="deadline", after=cursor).next
    for _ in range(repeats):
        with rt.db.unit_of_work(write=False) as session:
            timed(session, _actor(session, username), sort="deadline", after=cursor)
    return sql, calls


def _actor(session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


@contextmanager
def server(settings: Settings):
    port = _free_port()
    env = {**os.environ, "LOTSEN_DATABASE_URL": settings.database_url, "LOTSEN_INSTANCE_DIR": settings.instance_dir,
           "LOTSEN_SECRET_KEY": "bench-secret", "LOTSEN_PORT": str(port), "LOTSEN_SMTP_PORT": "1"}
    command = "from app.cli import main; main(['serve', '--without-scheduler'])"
    proc = subprocess.Popen([sys.executable, "-c", command], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str) -> tuple[float, str | None]:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    begun = time.perf_counter()
    with urllib.request.urlopen(req, timeout=30) as resp:
        resp.read()
        link = resp.headers.get("Link")
    return time.perf_counter() - begun, link


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_http(url: str, token: str, repeats: int) -> list[float]:
    samples = []
    for _, query in QUERIES:
        _get(f"{url}/api/tasks?{query}", token)  # warm
        samples += [_get(f"{url}/api/tasks?{query}", token)[0] for _ in range(repeats)]
    path = "/api/tasks?sort=deadline"
    for _ in range(DEEP_PAGES):
        _, link = _get(url + path, token)
        if not link:
            break
        path = link[1:link.index(">")]
    samples += [_get(url + path, token)[0] for _ in range(repeats)]
    return samples


def ms(seconds: float) -> str:
    return f"{seconds * 1000:5.1f} ms"


def run(sizes: list[int], url: str | None, repeats: int = 20, also=None, cache=None) -> list[str]:
    """One line per size; ``also(rt, cases)`` adds its own lines for each seeded size (the dashboard's).

    The seeded databases come from ``bench.seeded`` (cached between runs; the first run seeds them)."""
    lines = []
    for db in seeded.databases(sizes, url, cache):
        settings = db.settings()
        rt = build_runtime(settings)
        try:
            sql, calls = time_database(rt, seeded.STAFF_USER, repeats)
            (sql50, sql95), (call50, call95) = percentiles(sql), percentiles(calls)
            with server(settings) as (base, pid):
                before = cpu_seconds(pid)
                http = time_http(base, db.token, repeats)
                server_cpu = (cpu_seconds(pid) - before) / len(http)
            http50, http95 = percentiles(http)
            lines.append(f"  inbox, {db.cases:>9,} cases ({db.open_tasks:>6,} open tasks):"
                         f" SQL p50 {ms(sql50)} p95 {ms(sql95)}; service CPU p50 {ms(call50)} p95 {ms(call95)};"
                         f" HTTP p50 {ms(http50)} p95 {ms(http95)} (server CPU {ms(server_cpu)}/request)"
                         f"   [{db.describe()}]")
            if also is not None:
                lines += also(rt, db.cases)
        finally:
            rt.close()
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default=os.environ.get("LOTSEN_BENCH_INBOX_CASES", "10000,100000"),
                        help="comma-separated case counts (cumulative), e.g. 10000,100000,1000000")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.cases.split(",") if s.strip())
    for line in run(sizes, os.environ.get("LOTSEN_BENCH_DATABASE_URL"), args.repeats):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
