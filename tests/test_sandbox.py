"""Scripts and expressions run under RestrictedPython, never plain exec."""
import pytest

from app.engine.sandbox import (RestrictedEnvironment, ScriptLimitExceeded, ScriptLimits, ScriptPool, ScriptRejected,
                                compile_script)


@pytest.fixture(scope="module")
def pool():
    scripts = ScriptPool(ScriptLimits(time_s=1.0))
    yield scripts
    scripts.close()


@pytest.fixture
def env(pool):
    return RestrictedEnvironment(pool)


def test_ordinary_script_computes_and_writes_back(env):
    data = {"price": 2.5, "tags": ["b", "a", "b"]}
    env.execute("total = sum([i * price for i in range(3)])\ncount = 1\ncount += 2\nuniq = sorted(set(tags))",
                data, {})
    assert data == {"price": 2.5, "tags": ["b", "a", "b"], "total": 7.5, "count": 3, "uniq": ["a", "b"]}


@pytest.mark.parametrize("script", [
    "import os",
    "from os import path",
    "x = ().__class__.__base__.__subclasses__()",
])
def test_escapes_are_refused_at_compile_time(script):
    with pytest.raises(ScriptRejected):
        compile_script(script)


def test_builtins_that_reach_outside_are_missing(env):
    with pytest.raises(NameError):
        env.execute("data = open('/etc/hostname').read()", {}, {})


def test_runaway_loop_is_stopped_by_the_time_limit(env):
    with pytest.raises(ScriptLimitExceeded, match="the script ran longer than 1 s"):
        env.execute("while True:\n    pass", {}, {})


def test_script_cannot_mutate_data_shared_with_earlier_tasks(env):
    shared = {"lines": [{"qty": 1}]}
    earlier_task_data = {"order": shared}
    later_task_data = {"order": shared}  # SpiffWorkflow 3.2 shares nested values between tasks
    env.execute("order['lines'][0]['qty'] = 99", later_task_data, {})
    assert later_task_data["order"]["lines"][0]["qty"] == 99
    assert earlier_task_data["order"]["lines"][0]["qty"] == 1


def test_expression_sees_task_data(env):
    assert env.evaluate("len(referrals) > 0 and track == 'standard'",
                        {"referrals": ["miljo"], "track": "standard"}) is True
