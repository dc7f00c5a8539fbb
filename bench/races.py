"""Re-measure the reliability campaign's races with real processes on one database (loopback only).

    .venv/bin/python -m bench.races --database-url postgresql+psycopg://lotsen:lotsen@127.0.0.1:5432/lotsen_races
    .venv/bin/python -m bench.races --source /path/to/an/older/checkout ...   # the same, against older code

Counts, in bounded rounds:

1. double claims: two ``lotsen serve`` processes, two coordinators claim one task at the same moment;
2. refused and dropped messages: a supplement message races the completion of the triage that
   orders it (refused = not 200/202; dropped = refused and not stored);
3. double mails: two ``lotsen scheduler`` processes send one outbox to aiosmtpd;
4. resent mails: a ``lotsen outbox`` killed after three of six mails, then run again.

The database is emptied first. ``--source`` runs the processes from another checkout (its own
migrations, users and processes), so old and new code are measured the same way.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.helpers import TRIAGE_COMPLETE, application, reply_by
from tests.lotsen_processes import get, lotsen, post, servers, together
from tests.smtp import Inbox, free_port, smtp_server

ROOT = Path(__file__).resolve().parent.parent
INCOMPLETE = TRIAGE_COMPLETE | {"track": "simple", "complete": False, "supplement_request": "Ritning saknas.",
                                "reply_by": reply_by()}


def run(source: Path, env: dict, *args: str, stdin: str = "") -> str:
    done = subprocess.run([sys.executable, "-c", f"from app.cli import main; main({list(args)!r})"], env=env,
                          cwd=source, input=stdin, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"lotsen {' '.join(args)}: {done.stderr or done.stdout}")
    return done.stdout


def prepare(source: Path, url: str, env: dict) -> dict[str, str]:
    """An empty database with the source's schema, processes and users; API tokens by user name."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    run(source, env, "db", "upgrade")
    run(source, env, "processes", "deploy")
    run(source, env, "users", "demo")
    try:  # work groups are rows in newer code, roles in older code
        run(source, env, "users", "add", "cecilia", "--group", "coordinator", stdin="password-cecilia\n")
    except RuntimeError:
        run(source, env, "users", "add", "cecilia", "--role", "coordinator", stdin="password-cecilia\n")
    return {name: run(source, env, "users", "token", name).strip()
            for name in ("anna.applicant", "carl.coordinator", "cecilia")}


def new_triage(url: str, tokens: dict) -> tuple[int, str]:
    status, case = post(f"{url}/api/cases", tokens["anna.applicant"],
                        {"process": "building_permit", "data": application()})
    assert status == 201, case
    [task] = [t for t in get(f"{url}/api/tasks", tokens["carl.coordinator"]) if t["case_id"] == case["id"]]
    return case["id"], task["id"]


def race_claims(urls: list[str], tokens: dict, rounds: int) -> int:
    a, b = urls
    double = 0
    for _ in range(rounds):
        _, task_id = new_triage(a, tokens)
        (sa, _), (sb, _) = together((post, f"{a}/api/tasks/{task_id}/claim", tokens["carl.coordinator"]),
                                    (post, f"{b}/api/tasks/{task_id}/claim", tokens["cecilia"]))
        double += (sa, sb) == (200, 200)
    return double


def race_messages(urls: list[str], tokens: dict, rounds: int, db_url: str) -> tuple[int, int, int]:
    """(refused, dropped, stored but never delivered)."""
    a, b = urls
    refused = dropped = undelivered = 0
    engine = create_engine(db_url)
    for _ in range(rounds):
        case_id, task_id = new_triage(a, tokens)
        _, (sent, _) = together(
            (post, f"{a}/api/tasks/{task_id}/complete", tokens["carl.coordinator"], {"data": INCOMPLETE}),
            (post, f"{b}/api/cases/{case_id}/messages/supplement_received", tokens["anna.applicant"],
             {"data": {"message": "Här är ritningen."}}))
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT delivered_at FROM pending_message WHERE case_id = :c"),
                                  {"c": case_id}).all()
        refused += sent not in (200, 202)
        dropped += not stored
        undelivered += any(row[0] is None for row in stored)
    engine.dispose()
    return refused, dropped, undelivered


def queue_mails(db_url: str, n: int) -> None:
    """``n`` pending outbox rows, with the columns every version has."""
    engine = create_engine(db_url)
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM outbox_message"))
        conn.execute(text(
            "INSERT INTO outbox_message (kind, recipient, subject, body, status, attempts, created_at, "
            "next_attempt_at) VALUES ('notice', 'anna@example.se', :subject, 'Hej!', 'PENDING', 0, :now, :now)"),
            [{"subject": f"Meddelande {i}", "now": now} for i in range(1, n + 1)])
    engine.dispose()


def two_schedulers(env: dict, db_url: str, mails: int) -> tuple[int, int]:
    """(mails received, mails received more than once)."""
    queue_mails(db_url, mails)
    with smtp_server(Inbox(delay_s=0.02)) as (handler, port):
        senders = {**env, "LOTSEN_SMTP_PORT": str(port), "LOTSEN_SCHEDULER_INTERVAL_S": "0.2"}
        with ExitStack() as stack:
            for _ in range(2):
                stack.enter_context(lotsen(["scheduler"], senders))
            handler.wait_for(mails, timeout=90)
            time.sleep(2)  # let a duplicate that is on its way arrive before the schedulers stop
    counts = Counter(handler.subjects())
    return len(handler.messages), sum(1 for n in counts.values() if n > 1)


class HoldsFourth(Inbox):
    def __init__(self):
        super().__init__()
        self.holding, self.release = threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.attempts == 3 and not self.release.is_set():
            self.attempts += 1
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
            return "451 4.3.0 try again later"
        return await super().handle_DATA(server, session, envelope)


def killed_sender(env: dict, db_url: str) -> int:
    """Mails received twice when a sender is killed after three of six and another runs later."""
    queue_mails(db_url, 6)
    handler = HoldsFourth()
    with smtp_server(handler) as (_, port):
        senders = {**env, "LOTSEN_SMTP_PORT": str(port), "LOTSEN_OUTBOX_CLAIM_TIMEOUT_S": "1"}
        with lotsen(["outbox"], senders) as sender:
            handler.holding.wait(timeout=60)
            sender.send_signal(signal.SIGKILL)
            sender.wait(timeout=10)
        handler.release.set()
        time.sleep(1.5)  # past the (shortened) claim timeout of the dead sender
        with lotsen(["outbox"], senders) as again:
            again.wait(timeout=60)
    return sum(1 for n in Counter(handler.subjects()).values() if n > 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT, help="checkout whose code the processes run")
    parser.add_argument("--database-url", default=os.environ.get("LOTSEN_RACES_DATABASE_URL"))
    parser.add_argument("--claim-rounds", type=int, default=25)
    parser.add_argument("--message-rounds", type=int, default=10)
    parser.add_argument("--mails", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'races.sqlite3'}"
        source = args.source.resolve()
        os.chdir(source)  # `python -c` puts the working directory first on sys.path: the processes run source's code
        env = {**os.environ, "PYTHONPATH": str(source), "LOTSEN_DATABASE_URL": url, "LOTSEN_INSTANCE_DIR": tmp,
               "LOTSEN_SMTP_PORT": str(free_port())}
        tokens = prepare(source, url, env)
        with servers({**env}, [free_port(), free_port()]) as urls:
            double_claims = race_claims(urls, tokens, args.claim_rounds)
            refused, dropped, undelivered = race_messages(urls, tokens, args.message_rounds, url)
        received, doubled = two_schedulers(env, url, args.mails)
        resent = killed_sender(env, url)
    print(f"races against {url.split('@')[-1]} with code from {source}")
    print(f"  double claims:        {double_claims} of {args.claim_rounds} rounds")
    print(f"  messages refused:     {refused} of {args.message_rounds} rounds "
          f"(dropped: {dropped}, stored but undelivered: {undelivered})")
    print(f"  two schedulers:       {received} mails received for {args.mails}, {doubled} sent more than once")
    print(f"  sender killed at 3/6: {resent} mails sent twice")


if __name__ == "__main__":
    main()
