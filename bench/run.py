"""Lotsen benchmark: the "simple" path of building_permit, in memory vs. through the service layer.

    make bench                      # or: .venv/bin/python -m bench.run
    .venv/bin/python -m bench.run --cases 50 --repeats 3

Measures, in one run:

1. reference: cases per second completed by SpiffWorkflow alone, in memory
   (parse the bundle once; per case a new ``BpmnWorkflow`` with Lotsen's
   ``HostScriptEngine`` and a fake in-memory host; complete ``triage`` and
   ``coordinator_decision``); 1b. the same with a JSON save and load of the
   workflow after every transaction (bench/floor.py: the floor of any
   persisted engine);
2. the same cases through Lotsen's service layer on SQLite, one unit of work
   (transaction) per user action: submit, triage, decision;
3. their ratio and milliseconds per case;
4. what isolating scripts costs: one script or expression in-process vs. in a
   script worker, and a whole case with every call in a worker (bench/sandbox.py);
5. the inbox at scale (bench/inbox.py): ``lotsen seed`` databases of 10k, 100k and 1M cases
   (``--inbox-cases`` to choose), kept between runs (bench/seeded.py: the first run pays the
   seeding, 1M takes ~15-30 min); one page of open tasks is timed in SQL, as a service call,
   and over HTTP against a real ``lotsen serve`` on a loopback port (p50 / p95), and each view
   of the insight dashboard on the same seeded history (bench/dashboard.py, goal < 1 s each);
6. step cost (bench/step_cost.py): one task completion through the service layer
   after 10 and after 200 completed tasks of the same case, and their ratio;
7. the what-if simulation (bench/simulation.py): simulated cases per second of ONE run at a
   national rate through the real engine, and what one run of a national year takes (estimated, or
   measured with --sim-cases 100000);
8. HTTP (bench/http.py): a case of five user tasks through real ``lotsen serve`` processes, one client and
   4 at once; with ``LOTSEN_BENCH_DATABASE_URL`` also PostgreSQL in one process and gunicorn with 1 and 2
   worker processes, all measured in interleaved rounds (ratios side by side).
9. the deploy gate: one uncached walk of every path of processes/ (bench/gate.py).

``LOTSEN_BENCH_DATABASE_URL`` (a scratch PostgreSQL database: every Lotsen table in
it is dropped and recreated) adds line 2b (the service layer on PostgreSQL) and runs
the inbox lines on PostgreSQL instead of SQLite.

Each measurement is repeated (default 3 times) after a warm-up; the median and
range are printed. Exits 1 if any case did not complete (granted).
Environment overrides: LOTSEN_BENCH_CASES (service layer; in-memory runs 3x
that), LOTSEN_BENCH_MEMORY_CASES, LOTSEN_BENCH_REPEATS, LOTSEN_BENCH_INBOX_CASES,
LOTSEN_BENCH_STEP_TASKS, LOTSEN_BENCH_HTTP_CASES.
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, select

from app.clock import clock
from app.config import Settings
from app.engine.script_pool import ScriptPool
from bench import dashboard, inbox, seeded, step_cost
from bench import http as http_bench
from bench.gate import report as gate_report
from bench.memory import APPLICATION, PROCESS, PROCESSES, STEPS, run_memory
from bench.sandbox import report as sandbox_report
from bench.simulation import report as simulation_report
from app.engine.specs import parse_bundle
from app.models import Base, Case, Outcome, Timer, User
from app.runtime import build_runtime
from app.services import appeal_period, appeals
from app.services import cases as case_service
from app.services import tasks as task_service
from app.services import timers as timer_service
from app.services import groups as group_service
from app.services import users as user_service
from app.services.processes import RULES, deploy_directory, read_directory

PASSWORD = "bench-password"

# --------------------------------------------------------------------------- service layer


class ServiceBench:
    def __init__(self, tmp: str, url: str | None = None):
        self.rt = build_runtime(Settings.from_env({
            "instance_dir": str(Path(tmp) / "instance"),
            "database_url": url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
            "processes_dir": str(PROCESSES),
            "secret_key": "bench-secret",
            "testing": True,
            "smtp_port": 1,
        }))
        if url:  # a scratch database: every Lotsen table is dropped and created afresh
            Base.metadata.drop_all(self.rt.db.write_engine)
        Base.metadata.create_all(self.rt.db.write_engine)
        with self.rt.db.unit_of_work() as session:
            group_service.ensure_demo(session)
            deploy_directory(session, PROCESSES, message="bench")
            self.applicant_id = user_service.create_user(
                session, username="anna", roles=["applicant"], password=PASSWORD,
                display_name="Anna", email="anna@example.se").id
            self.coordinator_id = user_service.create_user(
                session, username="carl", roles=[], groups=["coordinator"], password=PASSWORD,
                display_name="Carl", email="carl@kommun.example").id
        self.statements = 0
        self.case_ids: list[int] = []
        for engine in {self.rt.db.read_engine, self.rt.db.write_engine}:
            event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_args) -> None:
        self.statements += 1

    def one_case(self) -> int:
        db = self.rt.db
        with db.unit_of_work() as session:
            actor = session.get(User, self.applicant_id)
            case = case_service.submit_case(session, actor=actor, process=PROCESS, data=APPLICATION)
            case_id = case.id
        for element, data in STEPS:
            with db.unit_of_work() as session:
                actor = session.get(User, self.coordinator_id)
                case = session.get(Case, case_id)
                open_ = [t for t in case_service.open_tasks(session, case) if t.element_id == element]
                if len(open_) != 1:
                    raise RuntimeError(f"case {case_id}: expected one open {element!r}, got {len(open_)}")
                task_service.complete(session, actor=actor, task_id=open_[0].id, data=data)
        with db.unit_of_work() as session:  # the decision was posted and served on the day
            party = appeal_period.parties_of(session, session.get(Case, case_id))[0]
            appeals.record_service(session, actor=session.get(User, self.coordinator_id), case_id=case_id,
                                   party_id=party.id, served_on=appeal_period.today(session).isoformat(),
                                   method="post")
        with db.unit_of_work() as session:  # the appeal period passes: legal force, closed
            [timer] = session.scalars(select(Timer).where(Timer.case_id == case_id)).all()
            clock.set(timer.due_at + timedelta(seconds=1))
            if not timer_service.fire(session, timer_id=timer.id, worker="bench"):
                raise RuntimeError(f"case {case_id}: the appeal timer did not fire")
        self.case_ids.append(case_id)
        return case_id

    def run(self, n: int) -> tuple[float, int]:
        failed = 0
        start = time.perf_counter()
        try:
            for _ in range(n):
                try:
                    self.one_case()
                except Exception as exc:  # counted and reported
                    failed += 1
                    print(f"  service case failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        finally:
            clock.reset()
        return time.perf_counter() - start, failed

    def verify(self, case_ids: list[int]) -> tuple[int, float]:
        """(cases not completed-granted, mean bytes of case.state)."""
        bad, sizes = 0, []
        with self.rt.db.unit_of_work(write=False) as session:
            for cid in case_ids:
                case = session.get(Case, cid)
                if case is None or case.completed_at is None or case.outcome != Outcome.GRANTED:
                    bad += 1
                if case is not None:
                    sizes.append(len(case.state.encode()))
        return bad, (statistics.mean(sizes) if sizes else 0.0)


def service_layer(url: str | None, n_svc: int, repeats: int) -> tuple[list[float], float, float, int, float]:
    """(seconds per repeat, SQL statements per case, mean state bytes, failures, CPU seconds per case)
    through the service layer."""
    failed = 0
    with tempfile.TemporaryDirectory(prefix="lotsen-bench-") as tmp:
        bench = ServiceBench(tmp, url)
        try:
            _, f = bench.run(max(5, n_svc // 10))  # warm-up
            failed += f
            svc_times, measured_ids = [], []
            bench.statements = 0
            cpu = time.process_time()
            for _ in range(repeats):
                before = len(bench.case_ids)
                t, f = bench.run(n_svc)
                svc_times.append(t)
                failed += f
                measured_ids += bench.case_ids[before:]
            cpu = (time.process_time() - cpu) / max(1, len(measured_ids))
            statements = bench.statements / max(1, len(measured_ids))
            bad, state_bytes = bench.verify(bench.case_ids)
            failed += bad
        finally:
            bench.rt.close()
    return svc_times, statements, state_bytes, failed, cpu


def step_cost_line(late: int, url: str | None = None) -> list[str]:
    """Bench line 6 (bench/step_cost.py) on a fresh bench database."""
    with tempfile.TemporaryDirectory(prefix="lotsen-bench-") as tmp:
        bench = ServiceBench(tmp, url)
        try:
            step_cost.deploy_long_case(bench.rt.db)
            return step_cost.report(step_cost.measure(bench.rt.db, bench.coordinator_id, late=late))
        finally:
            bench.rt.close()


# --------------------------------------------------------------------------- report


def _fmt(times: list[float], n: int) -> tuple[float, str]:
    rates = sorted(n / t for t in times)
    med = statistics.median(rates)
    return med, f"{med:8.1f} cases/s  (range {rates[0]:.1f}–{rates[-1]:.1f})  {1000 / med:7.2f} ms/case"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=int(os.environ.get("LOTSEN_BENCH_CASES", 100)),
                        help="service-layer cases per repeat (default 100)")
    parser.add_argument("--memory-cases", type=int, default=None,
                        help="in-memory cases per repeat (default 3x --cases)")
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("LOTSEN_BENCH_REPEATS", 3)))
    parser.add_argument("--sim-cases", type=int, default=int(os.environ.get("LOTSEN_BENCH_SIM_CASES", 2000)),
                        help="applications in the one simulation run of line 7 (default 2000; 100000: a whole "
                             "national year, ~10 min)")
    parser.add_argument("--inbox-cases",
                        default=os.environ.get("LOTSEN_BENCH_INBOX_CASES", "10000,100000,1000000"),
                        help="seeded case counts for the inbox and dashboard lines (default 10000,100000,1000000;"
                             " '0': none); cached between runs, see bench/seeded.py")
    parser.add_argument("--step-tasks", type=int, default=int(os.environ.get("LOTSEN_BENCH_STEP_TASKS", 200)),
                        help="completed tasks before the late step of the step-cost line (default 200)")
    parser.add_argument("--http-cases", type=int, default=int(os.environ.get("LOTSEN_BENCH_HTTP_CASES", 40)),
                        help="HTTP lines: cases per round and configuration (default 40; 0: none)")
    parser.add_argument("--http-rounds", type=int, default=3, help="HTTP lines: interleaved rounds (default 3)")
    args = parser.parse_args()
    inbox_sizes = sorted(int(n) for n in args.inbox_cases.split(",") if n.strip() and int(n) > 0)
    n_svc = max(1, args.cases)
    n_mem = max(1, args.memory_cases or int(os.environ.get("LOTSEN_BENCH_MEMORY_CASES", 0)) or 3 * n_svc)
    repeats = max(1, args.repeats)

    logging.getLogger("spiff").setLevel(logging.WARNING)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("spiff"):
            logging.getLogger(name).setLevel(logging.WARNING)

    failed = 0
    t0 = time.perf_counter()
    bundle = parse_bundle(read_directory(PROCESSES), RULES)
    parse_s = time.perf_counter() - t0

    # -- 1. in memory
    scripts = ScriptPool()
    _, f = run_memory(max(10, n_mem // 10), bundle, scripts)  # warm-up
    failed += f
    mem_times, floor_times, cpu = [], [], {"memory": 0.0, "floor": 0.0}
    for _ in range(repeats):
        for kind, times in (("memory", mem_times), ("floor", floor_times)):
            started = time.process_time()
            t, f = run_memory(n_mem, bundle, scripts, json_floor=kind == "floor")
            cpu[kind] += (time.process_time() - started) / (n_mem * repeats)
            times.append(t)
            failed += f

    # -- 2. service layer (SQLite; PostgreSQL too when LOTSEN_BENCH_DATABASE_URL names a scratch database)
    svc_times, statements, state_bytes, f, cpu["service"] = service_layer(None, n_svc, repeats)
    failed += f
    pg_url = os.environ.get("LOTSEN_BENCH_DATABASE_URL")
    pg = service_layer(pg_url, n_svc, repeats) if pg_url else None
    failed += pg[3] if pg else 0

    # -- 4. what isolating scripts costs
    def whole_case(environment) -> float:
        elapsed, f = run_memory(n_sandbox, bundle, scripts, environment)
        nonlocal failed
        failed += f
        return elapsed / n_sandbox

    n_sandbox = max(10, n_mem // 10)
    sandbox_lines = sandbox_report(APPLICATION, scripts, whole_case, n_sandbox, repeats)
    gate_lines = gate_report(bundle, scripts, repeats)
    scripts.close()
    simulation_lines, unfinished = simulation_report(max(1, args.sim_cases), PROCESSES)
    http_lines = http_bench.lines(pg_url, args.http_cases, args.http_rounds)
    step_lines = step_cost_line(max(step_cost.EARLY + step_cost.WINDOW, args.step_tasks))

    mem_rate, mem_line = _fmt(mem_times, n_mem)
    svc_rate, svc_line = _fmt(svc_times, n_svc)
    print("Lotsen bench — building_permit, simple path "
          f"(fence: triage -> coordinator_decision -> appeal window -> closed), {repeats} repeats, median")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    busy = "  <- busy machine, numbers are noisy" if load > 0.75 * (os.cpu_count() or 1) else ""
    print(f"  machine: {os.cpu_count()} cores, load average {load:.2f} at the end{busy}")
    print(f"  bundle parse (once):          {parse_s * 1000:.0f} ms")
    print(f"  1. SpiffWorkflow in memory:   {mem_line}   [{n_mem} cases/repeat]")
    floor_rate, floor_line = _fmt(floor_times, n_mem)
    print(f"  1b. + JSON save/load per tx:  {floor_line}   [the floor of any persisted engine: "
          f"{len(STEPS) + 2} save+load/case, no database]")
    print(f"  2. service layer, SQLite:     {svc_line}   [{n_svc} cases/repeat, {len(STEPS) + 3} transactions/case]")
    if pg:
        pg_rate, pg_line = _fmt(pg[0], n_svc)
        print(f"  2b. service layer, PostgreSQL:{pg_line}   [PostgreSQL ÷ SQLite {pg_rate / svc_rate:.2f}]")
    print(f"  3. ratio in-memory/service:   {mem_rate / svc_rate:8.1f} x"
          f"   (service overhead {1000 / svc_rate - 1000 / mem_rate:.2f} ms/case)")
    print(f"     persisted ÷ in-memory:     {svc_rate / mem_rate:8.2f}     (goal >= 0.25); "
          f"persisted ÷ JSON floor {svc_rate / floor_rate:.2f}")
    print(f"     CPU per case (this process): in memory {cpu['memory'] * 1000:.2f} ms, floor "
          f"{cpu['floor'] * 1000:.2f} ms, persisted {cpu['service'] * 1000:.2f} ms (incl. SQLite) = "
          f"{cpu['memory'] / cpu['service']:.2f} of in-memory by CPU")
    print(f"  mean case.state size:         {state_bytes:8.0f} bytes")
    print(f"  SQL statements per case:      {statements:8.1f}")
    print("\n".join(sandbox_lines))
    print("\n".join(step_lines))
    print("\n".join(simulation_lines + http_lines))
    if inbox_sizes:
        print(f"  inbox page (50 tasks) on {'PostgreSQL' if pg_url else 'SQLite'}, 7 queries incl. a page "
              f"{inbox.DEEP_PAGES} pages deep (seeded databases cached in {seeded.cache_dir()}; a size not"
              " cached yet is seeded first, 1M cases take ~15-30 min):")
        print("\n".join(inbox.run(inbox_sizes, pg_url, max(5, 5 * repeats), also=dashboard.lines)))
    print("\n".join(gate_lines))
    if unfinished:
        print(f"FAILED: {unfinished} simulated case(s) failed or were left unfinished", file=sys.stderr)
        return 1
    if failed:
        print(f"FAILED: {failed} case(s) did not complete with outcome granted", file=sys.stderr)
        return 1
    print("  all cases completed (outcome granted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
