"""The dashboard at scale: every view of ``/insight`` timed on a seeded history (100k, 1M cases).

    .venv/bin/python -m bench.dashboard --cases 100000,1000000   # the bench's cached seeded databases
    .venv/bin/python -m bench.dashboard --database /path/db.sqlite3   # an already seeded database

``make bench`` runs it inside the inbox lines, on the database they seeded. Each view is its service
call (the queries and the figures, as the API and the page compute them) in a read-only unit of work, for
the default period (the twelve months up to today) and for one process and case type; the whole page is
the four views the page shows together and its filters' choices. Printed per view: wall-clock p50 / p95
over the repeats (the goal is under a second each) and the CPU of the call.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from app.clock import utcnow
from app.runtime import Runtime
from app.services.insight import backlog, dashboard, filters, heatmap, summary, trends, workload

GOAL_S = 1.0
PROCESS = "building_permit"


def _views(session, tz: ZoneInfo, now: datetime) -> list[tuple[str, object]]:
    chosen = filters.parse(session, {})
    narrow = filters.parse(session, {"process": PROCESS, "case_type": "bygglov"})
    today = now.astimezone(tz).date()
    return [
        ("summary", lambda s: summary.summary(s, chosen)),
        ("summary, bygglov only", lambda s: summary.summary(s, narrow)),
        ("backlog", lambda s: backlog.backlog(s, chosen, today)),
        ("trends, 24 months", lambda s: trends.trends(s, chosen)),
        ("groups", lambda s: workload.workload(s, chosen, now, tz, "sv")),
        ("heatmap", lambda s: heatmap.heatmap(s, heatmap.version_of(s, PROCESS, None))),
        ("whole page", lambda s: (dashboard.dashboard(s, chosen, now=now, tz=tz, locale="sv"), filters.choices(s))),
    ]


def time_views(rt: Runtime, repeats: int) -> list[tuple[str, list[float], list[float]]]:
    """(view, wall seconds, CPU seconds) of each view, each call in its own read-only unit of work."""
    tz, now = ZoneInfo(rt.settings.timezone), utcnow()
    with rt.db.unit_of_work(write=False) as session:
        views = _views(session, tz, now)
    timed = []
    for name, call in views:
        walls, cpus = [], []
        for attempt in range(repeats + 1):
            begun, cpu = time.perf_counter(), time.process_time()
            with rt.db.unit_of_work(write=False) as session:
                call(session)
            if attempt:  # the first call warms the database's cache
                walls.append(time.perf_counter() - begun)
                cpus.append(time.process_time() - cpu)
        timed.append((name, walls, cpus))
    return timed


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def lines(rt: Runtime, cases: int, repeats: int = 10) -> list[str]:
    out = [f"  dashboard, {cases:>9,} cases (p50 / p95 wall, p95 CPU; goal < {GOAL_S:.0f} s each):"]
    slowest = 0.0
    for name, walls, cpus in time_views(rt, repeats):
        slowest = max(slowest, p95(walls))
        out.append(f"     {name:<24} {statistics.median(walls) * 1000:7.0f} / {p95(walls) * 1000:7.0f} ms"
                   f"   CPU {p95(cpus) * 1000:6.0f} ms")
    verdict = "meets" if slowest < GOAL_S else "misses"
    out.append(f"     slowest view p95 {slowest * 1000:.0f} ms ({verdict} the goal)")
    return out


def main() -> int:
    from app.config import Settings
    from app.runtime import build_runtime
    from bench import seeded

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="100000",
                        help="seeded sizes, comma-separated (from the bench's cache, seeded when missing)")
    parser.add_argument("--database", help="an already seeded SQLite file or database URL (nothing is seeded)")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    if args.database:
        url = args.database if "://" in args.database else f"sqlite:///{os.path.abspath(args.database)}"
        with tempfile.TemporaryDirectory(prefix="lotsen-dashboard-") as tmp:
            rt = build_runtime(Settings.from_env({"database_url": url, "instance_dir": tmp, "secret_key": "bench"}))
            try:
                print("\n".join(lines(rt, _count_cases(rt), args.repeats)))
            finally:
                rt.close()
        return 0
    sizes = [int(n) for n in args.cases.split(",") if n.strip()]
    for db in seeded.databases(sizes, os.environ.get("LOTSEN_BENCH_DATABASE_URL")):
        rt = build_runtime(db.settings())
        try:
            print(f"  [{db.describe()}]")
            print("\n".join(lines(rt, db.cases, args.repeats)))
        finally:
            rt.close()
    return 0


def _count_cases(rt) -> int:
    from sqlalchemy import func, select

    from app.models import Case

    with rt.db.unit_of_work(write=False) as session:
        return session.scalar(select(func.count()).select_from(Case))


if __name__ == "__main__":
    sys.exit(main())
