"""HTTP throughput: a case of five user tasks through real ``lotsen serve`` processes on loopback ports.

    .venv/bin/python -m bench.http                                  # SQLite
    LOTSEN_BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python -m bench.http   # and PostgreSQL

A client submits a case as the applicant; then, for each of the five tasks (bench/five_tasks), a coordinator
finds it in the inbox (``GET /api/tasks?name=stepK&sort=newest``) and completes it
(``POST /api/tasks/{id}/complete``): 11 requests per case, each client on one keep-alive connection. One
client (sequential), then 4 at once (threads, each its own coordinator). The servers all run side by side and
are measured in interleaved rounds, so that each ratio compares figures taken under the same machine load:
SQLite in one process (waitress); with a PostgreSQL database also PostgreSQL in one process (waitress) and
gunicorn with 1 and with 2 worker processes. Per line: cases/s (median of the rounds), the completion's p50,
p95 and max over all rounds, and CPU per case of the server's processes (and of its PostgreSQL backends).
On PostgreSQL every Lotsen table in the database is dropped and created again: give it a scratch database.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

from app.config import Settings
from app.models import Base
from app.runtime import build_runtime
from app.services import groups as group_service
from app.services import users as user_service
from app.services.processes import deploy_directory
from bench.inbox import _free_port, cpu_seconds, ms, percentiles

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = Path(__file__).resolve().parent / "five_tasks"
STEPS = [f"step{i}" for i in range(1, 6)]
CLIENTS = 4
START_TIMEOUT_S = 90


@dataclass
class Target:
    """One server configuration: its label, database and ``lotsen serve`` options."""

    label: str
    database_url: str
    instance_dir: str
    serve_args: list[str]
    base: str = ""
    pid: int = 0
    samples: dict = field(default_factory=dict)  # clients -> Samples


@dataclass
class Samples:
    rates: list[float] = field(default_factory=list)
    completes: list[float] = field(default_factory=list)
    server_cpu: float = 0.0
    database_cpu: float = 0.0
    cases: int = 0


def prepare(database_url: str, instance_dir: str) -> dict[str, str]:
    """An empty database with the five-task process, an applicant and a coordinator per client; their tokens."""
    settings = Settings.from_env({"database_url": database_url, "instance_dir": instance_dir,
                                  "processes_dir": str(BUNDLE), "secret_key": "bench-secret", "smtp_port": 1})
    rt = build_runtime(settings)
    try:
        if not rt.db.is_sqlite:
            Base.metadata.drop_all(rt.db.write_engine)
        Base.metadata.create_all(rt.db.write_engine)
        with rt.db.unit_of_work() as session:
            group_service.ensure_demo(session)
            deploy_directory(session, BUNDLE, message="HTTP bench")
            tokens = {}
            for name, groups in [("anna", [])] + [(f"carl{i}", ["coordinator"]) for i in range(CLIENTS)]:
                user = user_service.create_user(session, username=name, roles=["applicant"] if not groups else [],
                                                groups=groups, password="bench-password", email=f"{name}@example.se")
                tokens[name] = user_service.issue_token(session, user)
        return tokens
    finally:
        rt.close()


@contextmanager
def server(target: Target):
    port = _free_port()
    env = {**os.environ, "LOTSEN_DATABASE_URL": target.database_url, "LOTSEN_INSTANCE_DIR": target.instance_dir,
           "LOTSEN_SECRET_KEY": "bench-secret", "LOTSEN_PORT": str(port), "LOTSEN_SMTP_PORT": "1"}
    args = ["serve", "--without-scheduler", *target.serve_args]
    proc = subprocess.Popen([sys.executable, "-c", f"from app.cli import main; main({args!r})"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    target.base, target.pid = f"127.0.0.1:{port}", proc.pid
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _healthy(target.base):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{target.label}: the server did not start")
            time.sleep(0.1)  # nothing to wait on but the port
        yield target
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _healthy(base: str) -> bool:
    try:
        conn = http.client.HTTPConnection(base, timeout=2)
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False


class Client:
    """One user agent: a keep-alive connection and a token."""

    def __init__(self, base: str, token: str):
        self.conn, self.token = http.client.HTTPConnection(base, timeout=30), token

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = None):
        headers = {"Authorization": f"Bearer {token or self.token}"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        raw = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {raw[:200]!r}")
        return json.loads(raw) if raw else None


def one_case(client: Client, applicant: str) -> list[float]:
    """A case through its five tasks; the seconds each completion took."""
    case_id = client.call("POST", "/api/cases", {"process": "five_tasks"}, token=applicant)["id"]
    completes = []
    for step in STEPS:
        found = [t for t in client.call("GET", f"/api/tasks?name={step}&sort=newest") if t["case_id"] == case_id]
        if len(found) != 1:
            raise RuntimeError(f"case {case_id}: {len(found)} open {step} task(s) in the inbox")
        begun = time.perf_counter()
        client.call("POST", f"/api/tasks/{found[0]['id']}/complete", {"data": {"ok": True}})
        completes.append(time.perf_counter() - begun)
    return completes


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (a gunicorn arbiter's workers, their script workers)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def _cpu(pids: list[int]) -> dict[int, float]:
    out = {}
    for pid in pids:
        try:
            out[pid] = cpu_seconds(pid)
        except OSError:
            continue
    return out


def backends(database_url: str) -> list[int]:
    """The PostgreSQL backends connected to the bench's database."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                          "AND pid <> pg_backend_pid()")))
    finally:
        engine.dispose()


def measure(target: Target, tokens: dict, clients: int, cases: int) -> None:
    """One round: ``cases`` cases by ``clients`` clients at once; adds to the target's samples."""
    per_client = max(1, cases // clients)
    agents = [Client(target.base, tokens[f"carl{i}"]) for i in range(clients)]
    is_pg = not target.database_url.startswith("sqlite")
    server_before = _cpu(descendants(target.pid))
    db_before = _cpu(backends(target.database_url)) if is_pg else {}

    def work(agent: Client) -> list[float]:
        return [s for _ in range(per_client) for s in one_case(agent, tokens["anna"])]

    begun = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(work, agents))
    elapsed = time.perf_counter() - begun
    server_after = _cpu(descendants(target.pid))
    db_after = _cpu(backends(target.database_url)) if is_pg else {}
    done = per_client * clients
    samples = target.samples.setdefault(clients, Samples())
    samples.rates.append(done / elapsed)
    samples.completes += [s for r in results for s in r]
    samples.server_cpu += sum(v - server_before.get(p, 0.0) for p, v in server_after.items())
    samples.database_cpu += sum(v - db_before.get(p, 0.0) for p, v in db_after.items())
    samples.cases += done
    for agent in agents:
        agent.conn.close()


def line(target: Target, clients: int, versus: tuple[str, Target] | None = None) -> str:
    s = target.samples[clients]
    rate = statistics.median(s.rates)
    p50, p95 = percentiles(s.completes)
    cpu = f"server CPU {ms(s.server_cpu / s.cases)}/case"
    if not target.database_url.startswith("sqlite"):
        cpu += f" + database {ms(s.database_cpu / s.cases)}"
    ratio = ""
    if versus:
        ratio = f"  [÷ {versus[0]} {rate / statistics.median(versus[1].samples[clients].rates):.2f}]"
    who = "sequential" if clients == 1 else f"{clients} clients"
    return (f"    {target.label:<30} {who:<10} {rate:6.1f} cases/s  complete p50 {ms(p50)} p95 {ms(p95)} "
            f"max {ms(max(s.completes))}; {cpu}{ratio}")


def plan(tmp: str, pg_url: str | None) -> list[tuple[Target, list[int]]]:
    """The targets and the client counts each is measured with."""
    sqlite = Target("SQLite, 1 process", f"sqlite:///{Path(tmp) / 'http.sqlite3'}", str(Path(tmp) / "sqlite"), [])
    targets = [(sqlite, [1, CLIENTS])]
    if pg_url:
        pg_dir = str(Path(tmp) / "pg")
        targets += [(Target("PostgreSQL, 1 process", pg_url, pg_dir, []), [1, CLIENTS]),
                    (Target("PostgreSQL, gunicorn 1 worker", pg_url, pg_dir, ["--server", "gunicorn",
                                                                               "--workers", "1"]), [CLIENTS]),
                    (Target("PostgreSQL, gunicorn 2 workers", pg_url, pg_dir, ["--workers", "2"]), [CLIENTS])]
    return targets


def run(pg_url: str | None, cases: int, rounds: int) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="lotsen-http-") as tmp, ExitStack() as stack:
        targets = plan(tmp, pg_url)
        tokens = {t.database_url: prepare(t.database_url, t.instance_dir) for t, _ in targets}
        for target, counts in targets:
            stack.enter_context(server(target))
            for clients in counts:  # warm-up: specs, caches, every worker's connections
                measure(target, tokens[target.database_url], clients, 2 * clients)
            target.samples.clear()
        for _ in range(rounds):  # interleaved: each round measures every configuration once
            for target, counts in targets:
                for clients in counts:
                    measure(target, tokens[target.database_url], clients, cases)
        return report(targets, cases, rounds)


def lines(pg_url: str | None, cases: int, rounds: int) -> list[str]:
    """The HTTP lines of ``make bench`` (none when ``cases`` is 0)."""
    return run(pg_url, max(CLIENTS, cases), max(1, rounds)) if cases > 0 else []


def report(targets: list[tuple[Target, list[int]]], cases: int, rounds: int) -> list[str]:
    lines = [f"  HTTP, a 5-user-task case (11 requests), {cases} cases per round, {rounds} interleaved rounds:"]
    sqlite = targets[0][0]
    lines += [line(sqlite, 1), line(sqlite, CLIENTS)]
    if len(targets) > 1:
        pg, one, two = (t for t, _ in targets[1:])
        lines += [line(pg, 1, ("SQLite", sqlite)), line(pg, CLIENTS, ("SQLite", sqlite)), line(one, CLIENTS),
                  line(two, CLIENTS, ("1 worker", one))]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=int(os.environ.get("LOTSEN_BENCH_HTTP_CASES", 40)),
                        help="cases per round and configuration (default 40)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for text_line in run(os.environ.get("LOTSEN_BENCH_DATABASE_URL"), max(CLIENTS, args.cases), max(1, args.rounds)):
        print(text_line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
