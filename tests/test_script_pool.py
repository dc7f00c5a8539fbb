"""Script workers: killed at their limits and replaced, reused while scripts behave."""
from __future__ import annotations

import io
import os
import pickle
import signal
import threading
import time
from datetime import datetime, timedelta, UTC

import pytest

from app.engine.script_pool import ScriptError, ScriptLimitExceeded, ScriptLimits, ScriptPool, _ReplyUnpickler


@pytest.fixture(scope="module")
def pool():
    scripts = ScriptPool(ScriptLimits(time_s=1.0, cpu_s=5.0, memory_mb=128, result_mb=1))
    yield scripts
    scripts.close()


def limit_hit(pool: ScriptPool, script: str) -> ScriptLimitExceeded:
    pool.execute("warm = True", {})
    started = pool.started
    with pytest.raises(ScriptLimitExceeded) as caught:
        pool.execute(script, {})
    assert pool.execute("after = 1", {}) == {"after": 1}  # a fresh worker took over
    assert pool.started == started + 1
    return caught.value


def test_well_behaved_scripts_reuse_one_worker(pool):
    pool.execute("warm = True", {})
    started = pool.started
    for i in range(50):
        assert pool.execute("total = price * count", {"price": 2.5, "count": i})["total"] == 2.5 * i
        assert pool.evaluate("count > 10", {"count": i}) is (i > 10)
    assert pool.started == started


def test_a_power_tower_is_stopped_at_the_time_limit(pool):
    begun = time.monotonic()
    exc = limit_hit(pool, "x = 10**10**8 > 5")
    assert exc.kind == "time" and str(exc) == "the script ran longer than 1 s"
    assert time.monotonic() - begun < 10


def test_an_endless_loop_is_stopped_at_the_time_limit(pool):
    assert str(limit_hit(pool, "while True:\n    pass")) == "the script ran longer than 1 s"


@pytest.fixture(scope="module")
def roomy_pool():
    """Time enough that only the memory limit can stop a script, however busy the machine is."""
    scripts = ScriptPool(ScriptLimits(time_s=60.0, cpu_s=60.0, memory_mb=128, result_mb=1))
    yield scripts
    scripts.close()


@pytest.mark.parametrize("script", [
    "x = 'x' * 10**10",
    "x = []\nwhile True:\n    x.append('y' * 10**6)",
])
def test_a_memory_bomb_fails_at_the_memory_limit(roomy_pool, script):
    exc = limit_hit(roomy_pool, script)
    assert exc.kind == "memory" and str(exc) == "the script used more than 128 MB of memory"


def test_processor_time_is_limited_even_when_the_wall_clock_allows_more():
    scripts = ScriptPool(ScriptLimits(time_s=60.0, cpu_s=1.0))
    try:
        with pytest.raises(ScriptLimitExceeded, match="the script used more than 1 s of processor time"):
            scripts.execute("while True:\n    pass", {})
    finally:
        scripts.close()


def test_an_expression_names_itself_in_the_limit(pool):
    with pytest.raises(ScriptLimitExceeded, match="^the expression ran longer than 1 s$"):
        pool.evaluate("10**10**8 > 5", {})


def test_a_result_larger_than_the_limit_is_refused(pool):
    exc = limit_hit(pool, "x = 'a' * (2 * 1024 * 1024)")
    assert exc.kind == "result" and str(exc) == "the script's result is larger than 1 MB"


def test_data_that_refers_to_itself_exponentially_is_refused_as_too_large(pool):
    exc = limit_hit(pool, "d = [1]\nfor i in range(64):\n    d = [d, d]")
    assert exc.kind == "result"


@pytest.mark.parametrize(("script", "words"), [
    ("s = {1, 2}", "a value in 's' that cannot be saved with the case (a set"),
    ("f = range(3)", "a value in 'f' that cannot be saved with the case (a range"),
    ("n = 10**5000", "a number in 'n' too large to be saved"),
])
def test_values_the_case_cannot_save_are_refused_by_name(pool, script, words):
    with pytest.raises(TypeError, match=words.replace("(", r"\(")):
        pool.execute(script, {})


def test_script_errors_keep_their_type_and_line(pool):
    with pytest.raises(ZeroDivisionError) as caught:
        pool.execute("a = 1\nb = a / 0", {})
    assert caught.value.script_line == 2
    with pytest.raises(NameError) as caught:
        pool.execute("x = totl + 1", {"total": 1})
    assert caught.value.name == "totl"
    with pytest.raises(KeyError) as caught:
        pool.execute("x = d['missing']", {"d": {}})
    assert caught.value.args == ("missing",)


def test_a_script_raising_system_exit_cannot_stop_the_server(pool):
    with pytest.raises(ScriptError) as caught:
        pool.execute("raise SystemExit(3)", {})
    assert type(caught.value).__name__ == "SystemExit" and not isinstance(caught.value, SystemExit)


def test_dates_durations_and_nested_data_cross_both_ways(pool):
    when = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    data = pool.execute("later = when + span\nitems = [{'n': 1}, ('a', None)]", {"when": when,
                                                                                 "span": timedelta(days=2)})
    assert data["later"] == when + timedelta(days=2) and data["items"] == [{"n": 1}, ("a", None)]


def test_a_worker_that_ended_while_idle_is_replaced(pool):
    pool.execute("warm = True", {})
    [worker] = pool._idle
    os.kill(worker.proc.pid, signal.SIGKILL)
    worker.proc.wait(timeout=10)
    assert pool.execute("y = x + 1", {"x": 1})["y"] == 2


def test_two_runaway_scripts_run_side_by_side_in_two_workers():
    scripts = ScriptPool(ScriptLimits(time_s=1.0), size=2)
    errors: list[Exception] = []

    def run() -> None:
        try:
            scripts.execute("while True:\n    pass", {})
        except ScriptLimitExceeded as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    begun = time.monotonic()
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    finally:
        scripts.close()
    assert [e.kind for e in errors] == ["time", "time"]
    assert time.monotonic() - begun < 1.9 + 1.0  # side by side, not one after the other (+ worker start-up)


def test_replies_that_are_not_plain_data_are_refused():
    hostile = pickle.dumps(("ok", os.system))
    with pytest.raises(pickle.UnpicklingError, match="posix.system"):
        _ReplyUnpickler(io.BytesIO(hostile)).load()
