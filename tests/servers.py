"""A real ``lotsen serve`` process on a free loopback port, for tests that must survive what the server does."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Reply:
    status: int
    body: dict | list | None
    seconds: float


@dataclass
class LotsenServer:
    """``lotsen serve`` with the scheduler, on the test's database; stopped by ``stop()``."""

    settings: object
    log: Path
    env: dict = field(default_factory=dict)
    proc: subprocess.Popen | None = None
    port: int = 0

    def start(self) -> LotsenServer:
        self.port = free_port()
        env = {**os.environ, "LOTSEN_DATABASE_URL": self.settings.database_url,
               "LOTSEN_INSTANCE_DIR": self.settings.instance_dir, "LOTSEN_SECRET_KEY": "test-secret",
               "LOTSEN_PORT": str(self.port), "LOTSEN_SMTP_PORT": "1", **self.env}
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-c", "from app.cli import main; main(['serve'])"],
                                         env=env, stdout=out, stderr=subprocess.STDOUT)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, *, token: str | None = None, body=None,
                timeout: float = 30.0) -> Reply:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        begun = time.monotonic()
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        return Reply(status, json.loads(raw) if raw else None, time.monotonic() - begun)

    def health(self, timeout: float = 2.0) -> float:
        """Seconds /healthz took to answer 200; raises if it did not within ``timeout``."""
        reply = self.request("GET", "/healthz", timeout=timeout)
        assert reply.status == 200, reply
        return reply.seconds

    def wait_until_serving(self, within_s: float) -> float:
        """Seconds from now until /healthz first answered; fails after ``within_s``."""
        begun = time.monotonic()
        pause = threading.Event()
        while time.monotonic() - begun < within_s:
            assert self.proc.poll() is None, f"the server ended: {self.output()}"
            try:
                self.health(timeout=2.0)
                return time.monotonic() - begun
            except (OSError, AssertionError):
                pause.wait(0.1)  # not listening yet
        raise AssertionError(f"the server did not answer /healthz within {within_s} s: {self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
