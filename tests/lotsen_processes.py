"""Real ``lotsen`` processes for tests: servers and schedulers against one database."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from app.config import Settings

START_TIMEOUT_S = 60


def environment(settings: Settings, **overrides) -> dict[str, str]:
    """The environment of a ``lotsen`` process that shares ``settings``' database and instance folder."""
    env = {**os.environ, "LOTSEN_DATABASE_URL": settings.database_url, "LOTSEN_INSTANCE_DIR": settings.instance_dir,
           "LOTSEN_SECRET_KEY": settings.secret_key, "LOTSEN_SMTP_PORT": str(settings.smtp_port)}
    env.update({f"LOTSEN_{k.upper()}": str(v) for k, v in overrides.items()})
    return env


@contextmanager
def lotsen(args: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """Run ``lotsen ARGS`` until the block ends (then it is stopped); ``stderr_of(process)`` reads what it logged."""
    with python(f"from app.cli import main; main({args!r})", env) as process:
        yield process


@contextmanager
def python(code: str, env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """Run ``python -c CODE`` until the block ends. Its stderr goes to a file, never a pipe: a process that logs
    more than a pipe holds (64 KB) while nobody reads would block on its next line."""
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
        process = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, stderr=log,
                                   text=True)
        process.log = log
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def stderr_of(process: subprocess.Popen) -> str:
    """What the process wrote to stderr so far."""
    process.log.flush()
    process.log.seek(0)
    return process.log.read()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def servers(env: dict[str, str], ports: list[int]) -> Iterator[list[str]]:
    """``lotsen serve`` (without scheduler) on each port; their base URLs once all answer /healthz."""
    with ExitStack() as stack:
        procs = [stack.enter_context(lotsen(["serve", "--without-scheduler"], {**env, "LOTSEN_PORT": str(port)}))
                 for port in ports]
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        deadline = time.monotonic() + START_TIMEOUT_S
        for proc, url in zip(procs, urls, strict=True):
            while not _healthy(url):  # nothing to wait on but the port itself
                if proc.poll() is not None:
                    raise RuntimeError(f"lotsen serve exited: {stderr_of(proc)}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{url} did not answer /healthz within {START_TIMEOUT_S} s")
                time.sleep(0.1)
        yield urls


def post(url: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    """POST JSON with a bearer token; (status, JSON body)."""
    request = urllib.request.Request(url, data=json.dumps(body or {}).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def get(url: str, token: str) -> dict | list:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.loads(r.read())


def together(*calls: tuple):
    """Run each ``(function, *args)`` in a thread of its own, all released at once; their results in order."""
    import threading

    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait(timeout=10)
        fn, *args = calls[i]
        results[i] = fn(*args)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results
