"""A pool of long-lived script workers, each killed and replaced when a script passes a limit.

A request thread hands a script (or an expression) and a copy of the task data
to an idle worker (``script_worker.py``) and waits for the reply without
holding the interpreter lock, so the server keeps answering while a script
runs. A worker that passes a limit is killed; the next call starts a fresh one.

What crosses the process boundary: the source text and the task data go out
pickled (the server trusts itself); the result comes back pickled and is read
with an unpickler that builds only plain data, dates, durations and UUIDs.
The worker checks that a script leaves only data the case can save, no larger
than ``result_mb``.
"""
from __future__ import annotations

import builtins
import io
import json
import logging
import os
import pickle
import select
import signal
import subprocess
import sys
import threading
import time
import weakref
from dataclasses import asdict, dataclass
from pathlib import Path

from .script_worker import HEADER, write_frame

log = logging.getLogger(__name__)

WORKER = Path(__file__).with_name("script_worker.py")
#: How long a new worker may take to start (not counted against any script).
START_TIMEOUT_S = 30.0


def N_(message: str) -> str:  # the conventional gettext marker
    """Mark a message for translation; the web layer translates it when shown."""
    return message


#: (limit, subject) -> message; ``amount`` is the limit in the unit the message names.
LIMIT_MESSAGES = {
    ("time", "script"): N_("the script ran longer than %(amount)s s"),
    ("time", "expression"): N_("the expression ran longer than %(amount)s s"),
    ("cpu", "script"): N_("the script used more than %(amount)s s of processor time"),
    ("cpu", "expression"): N_("the expression used more than %(amount)s s of processor time"),
    ("memory", "script"): N_("the script used more than %(amount)s MB of memory"),
    ("memory", "expression"): N_("the expression used more than %(amount)s MB of memory"),
    ("result", "script"): N_("the script's result is larger than %(amount)s MB"),
    ("result", "expression"): N_("the expression's value is larger than %(amount)s MB"),
    ("crash", "script"): N_("the script's process stopped unexpectedly"),
    ("crash", "expression"): N_("the expression's process stopped unexpectedly"),
}


@dataclass(frozen=True)
class ScriptLimits:
    """Limits for one script or expression (see ``Settings``)."""

    time_s: float = 2.0
    cpu_s: float = 2.0
    memory_mb: int = 256
    result_mb: int = 16

    def amount(self, kind: str) -> float | int | None:
        return {"time": self.time_s, "cpu": self.cpu_s, "memory": self.memory_mb,
                "result": self.result_mb}.get(kind)


class ScriptLimitExceeded(Exception):
    """A script or expression passed a limit (``kind``: time, cpu, memory, result, crash); its worker was killed."""

    def __init__(self, kind: str, amount: float | int | None, subject: str = "script"):
        self.kind, self.amount, self.subject = kind, amount, subject
        super().__init__(LIMIT_MESSAGES[kind, subject] % {"amount": f"{amount:g}" if amount is not None else ""})


class ScriptError(Exception):
    """Base of errors re-created from a worker whose type is not a builtin exception."""


class _Timeout(Exception):
    pass


class _Died(Exception):
    pass


class _GoneBeforeRequest(Exception):
    pass


class _ReplyUnpickler(pickle.Unpickler):
    """Builds only plain data, dates, durations and UUIDs, whatever a worker sends."""

    ALLOWED = {("datetime", "datetime"), ("datetime", "date"), ("datetime", "timedelta"),
               ("datetime", "timezone"), ("uuid", "UUID"), ("uuid", "SafeUUID")}

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"a script worker sent a {module}.{name}, which is not plain data")
        return super().find_class(module, name)


def _script_error(type_name: str, args: tuple, name: str | None, line: int | None) -> Exception:
    """The script's exception, re-created in this process (never a SystemExit or KeyboardInterrupt)."""
    cls = getattr(builtins, type_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        cls = type(type_name, (ScriptError,), {})
    try:
        exc = cls(*args)
    except Exception:
        exc = type(type_name, (ScriptError,), {})(*args)
    if name is not None and isinstance(exc, (NameError, AttributeError)):
        exc.name = name
    exc.script_line = line
    return exc


class _Worker:
    """One worker process and its pipes."""

    def __init__(self, limits: ScriptLimits):
        self.proc = subprocess.Popen(
            [sys.executable, "-P", str(WORKER), json.dumps(asdict(limits))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0, start_new_session=True)
        self.requests, self.replies = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        try:
            ready = self.receive(time.monotonic() + START_TIMEOUT_S)
        except (_Timeout, _Died) as exc:
            self.kill()
            raise RuntimeError(f"the script worker did not start (exit code {self.proc.returncode})") from exc
        if ready[0] != "ready":
            self.kill()
            raise RuntimeError("the script worker did not start")

    def request(self, payload: bytes, time_limit_s: float) -> tuple:
        try:
            write_frame(self.requests, payload)
        except OSError as exc:  # it had ended while idle
            raise _GoneBeforeRequest() from exc
        return self.receive(time.monotonic() + time_limit_s)

    def receive(self, deadline: float) -> tuple:
        header = self._read(HEADER.size, deadline)
        return _ReplyUnpickler(io.BytesIO(self._read(HEADER.unpack(header)[0], deadline))).load()

    def _read(self, n: int, deadline: float) -> bytes:
        buf = bytearray()
        poller = select.poll()
        poller.register(self.replies, select.POLLIN)
        while len(buf) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not poller.poll(max(1, int(remaining * 1000))):
                raise _Timeout()
            chunk = os.read(self.replies, min(n - len(buf), 1 << 20))
            if not chunk:
                raise _Died()
            buf += chunk
        return bytes(buf)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> int | None:
        """Kill the process (if it still runs) and return how it ended."""
        if self.proc.poll() is None:
            self.proc.kill()
        for stream in (self.proc.stdin, self.proc.stdout):
            stream.close()
        return self.proc.wait()


def _kill_all(workers: list[_Worker]) -> None:
    while workers:
        workers.pop().kill()


class ScriptPool:
    """Runs scripts and expressions in at most ``size`` workers at a time, each within ``limits``."""

    def __init__(self, limits: ScriptLimits | None = None, size: int = 2):
        self.limits = limits or ScriptLimits()
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max(1, size))
        #: Workers started so far (a worker that passed a limit is replaced by a new one).
        self.started = 0
        self._finalizer = weakref.finalize(self, _kill_all, self._idle)

    def evaluate(self, source: str, context: dict, external_context: dict | None = None):
        """The value of the expression ``source`` over ``context``."""
        return self._call("eval", "expression", source, context, external_context)

    def execute(self, source: str, context: dict, external_context: dict | None = None) -> dict:
        """The task data the script ``source`` leaves when run on (a copy of) ``context``."""
        return self._call("exec", "script", source, context, external_context)

    def close(self) -> None:
        """Stop every worker; later calls start new ones."""
        with self._lock:
            _kill_all(self._idle)

    def _call(self, op: str, subject: str, source: str, context: dict, external: dict | None):
        payload = pickle.dumps((op, source, dict(context), dict(external or {})), protocol=pickle.HIGHEST_PROTOCOL)
        with self._slots:
            reply = self._run(payload, subject)
        if reply[0] == "ok":
            return reply[1]
        if reply[0] == "limit":
            raise ScriptLimitExceeded(reply[1], self.limits.amount(reply[1]), subject)
        raise _script_error(*reply[1:])

    def _run(self, payload: bytes, subject: str) -> tuple:
        worker = self._checkout()
        try:
            try:
                reply = worker.request(payload, self.limits.time_s)
            except _GoneBeforeRequest:
                worker.kill()
                worker = self._start()
                reply = worker.request(payload, self.limits.time_s)
        except _Timeout:
            worker.kill()
            raise ScriptLimitExceeded("time", self.limits.time_s, subject) from None
        except _Died:
            raise self._death(worker.kill(), subject) from None
        except BaseException:
            worker.kill()
            raise
        if reply[0] == "limit":
            worker.kill()
        else:
            self._checkin(worker)
        return reply

    def _death(self, returncode: int | None, subject: str) -> ScriptLimitExceeded:
        if returncode == -signal.SIGXCPU:
            return ScriptLimitExceeded("cpu", self.limits.cpu_s, subject)
        log.warning("a script worker stopped unexpectedly (exit code %s)", returncode)
        return ScriptLimitExceeded("crash", None, subject)

    def _checkout(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker
                worker.kill()
        return self._start()

    def _start(self) -> _Worker:
        worker = _Worker(self.limits)
        self.started += 1
        return worker

    def _checkin(self, worker: _Worker) -> None:
        with self._lock:
            self._idle.append(worker)
