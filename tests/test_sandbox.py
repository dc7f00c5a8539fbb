"""Scripts and expressions run under RestrictedPython, never plain exec."""
import pytest

from app.engine.sandbox import RestrictedEnvironment, ScriptRejected, ScriptTimeout, compile_script


def test_ordinary_script_computes_and_writes_back():
    env = RestrictedEnvironment()
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


def test_builtins_that_reach_outside_are_missing():
    with pytest.raises(NameError):
        RestrictedEnvironment().execute("data = open('/etc/hostname').read()", {}, {})


def test_runaway_loop_is_stopped_by_the_time_limit():
    with pytest.raises(ScriptTimeout):
        RestrictedEnvironment(time_limit_s=0.2).execute("while True:\n    pass", {}, {})


def test_script_cannot_mutate_data_shared_with_earlier_tasks():
    shared = {"lines": [{"qty": 1}]}
    earlier_task_data = {"order": shared}
    later_task_data = {"order": shared}  # SpiffWorkflow 3.2 shares nested values between tasks
    RestrictedEnvironment().execute("order['lines'][0]['qty'] = 99", later_task_data, {})
    assert later_task_data["order"]["lines"][0]["qty"] == 99
    assert earlier_task_data["order"]["lines"][0]["qty"] == 1


def test_expression_sees_task_data():
    assert RestrictedEnvironment().evaluate("len(referrals) > 0 and track == 'standard'",
                                            {"referrals": ["miljo"], "track": "standard"}) is True
