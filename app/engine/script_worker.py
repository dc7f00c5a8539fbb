"""The script worker: runs sandboxed scripts and expressions in a process that can be killed.

``script_pool`` starts it as ``python -P script_worker.py LIMITS_JSON`` and talks
to it over its standard input and output: length-prefixed pickles, one request
and one reply at a time. It imports only the standard library, RestrictedPython
and ``restricted.py`` (loaded by path, without the ``app`` package), so it
starts in a few tens of milliseconds.

Its limits are the operating system's (``resource.setrlimit``): an address-space
limit ``memory_mb`` above what the worker itself uses (an allocation past it
raises ``MemoryError``, reported as the memory limit), and before each request
a processor-time limit ``cpu_s`` past what it has used so far (the kernel then
ends it with SIGXCPU). The wall-clock limit is the pool's: it kills the worker.
"""
from __future__ import annotations

import importlib.util
import json
import math
import os
import pickle
import resource
import struct
import sys
from pathlib import Path

HEADER = struct.Struct("!Q")


def load_rules():
    """``restricted.py`` as a stand-alone module."""
    spec = importlib.util.spec_from_file_location("lotsen_restricted", Path(__file__).with_name("restricted.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_exactly(fd: int, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def write_frame(fd: int, payload: bytes) -> None:
    view = memoryview(HEADER.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def read_frame(fd: int) -> bytes | None:
    header = read_exactly(fd, HEADER.size)
    if header is None:
        return None
    return read_exactly(fd, HEADER.unpack(header)[0])


def _address_space() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def limit_memory(megabytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    limit = _address_space() + megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def limit_cpu(seconds: float) -> None:
    """Allow ``seconds`` more processor time (rounded up to whole seconds, the kernel's unit)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + seconds)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def _exception_args(exc: BaseException) -> tuple:
    return tuple(a for a in exc.args if isinstance(a, (str, int, float, bool, type(None))))


def run(rules, request: tuple, result_limit: int) -> tuple:
    """One request: ('eval' | 'exec', source, context, external context) -> reply."""
    op, source, context, external = request
    try:
        if op == "eval":
            value = rules.evaluate(source, context, external)
            rules.check_result({"value": value}, result_limit, sets=True)
        else:
            value = rules.execute(source, context, external)
            rules.check_result(value, result_limit)
        return ("ok", value)
    except MemoryError:
        return ("limit", "memory")
    except rules.ResultTooLarge:
        return ("limit", "result")
    except BaseException as exc:  # the script's own error (SystemExit included), reported, never raised here
        return ("error", type(exc).__name__, _exception_args(exc), getattr(exc, "name", None),
                rules.error_line(exc))


def serve(limits: dict) -> None:
    requests, replies = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # anything printed goes to the server's error log, never into the replies
    rules = load_rules()
    limit_memory(int(limits["memory_mb"]))
    result_limit = int(limits["result_mb"]) * 2**20
    write_frame(replies, pickle.dumps(("ready", os.getpid())))
    while (frame := read_frame(requests)) is not None:
        limit_cpu(float(limits["cpu_s"]))
        try:
            reply = pickle.dumps(run(rules, pickle.loads(frame), result_limit), protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            reply = pickle.dumps(("limit", "memory"))
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            reply = pickle.dumps(("error", "TypeError", (f"the result cannot be passed back: {exc}",), None, None))
        write_frame(replies, reply)


if __name__ == "__main__":
    serve(json.loads(sys.argv[1]))
