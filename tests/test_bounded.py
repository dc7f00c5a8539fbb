"""Only expressions and scripts proven unable to run away skip the script worker."""
from __future__ import annotations

import pytest

from app.engine.bounded import expression_is_bounded, script_is_bounded
from app.engine.sandbox import RestrictedEnvironment, ScriptLimits, ScriptPool


@pytest.mark.parametrize("expression", [
    "complete == True",
    "len(referrals) > 0 and track == 'standard'",
    "(measure) == (\"plank\")",
    "dmninputexpr in (\"plank\", \"mur\", \"skylt\")",
    "(height_m or 0) > 45",
    "supplement_order['reply_deadline']",
    "decision.get('outcome') == 'granted'",
    "area_m2 * 1.5 > 100",
    "sorted(set(referral), reverse=True)",
    "name.strip().lower().startswith('a')",
])
def test_ordinary_conditions_and_cells_are_evaluated_in_process(expression):
    assert expression_is_bounded(expression)


@pytest.mark.parametrize("expression", [
    "10**10**8 > 5",                            # a huge power
    "'x' * 10**10",                             # sequence repetition
    "x * y",                                    # repetition when either is a list or text from the data
    "1 << 10**10",                              # a huge shift
    "'%0999999999d' % 1",                       # formatting to a huge width
    "f'{x:>999999999}'",                        # the same in an f-string
    "pow(10, 10**8)",                           # the builtin behind **
    "round(5, -10**8)",                         # computes 10**(10**8)
    "len(range(10**12))",                       # a call that is not on the list
    "[i for i in x]",                           # comprehensions loop
    "any(i > 1 for i in x)",                    # so do generators
    "sorted(x, key=math.factorial)",            # a builtin passed as a value
    "math.factorial(100000)",                   # module functions
    "x.zfill(10**9)",                           # methods not on the list
    "(lambda: 1)()",
    "x.__class__",
])
def test_anything_that_could_run_away_goes_to_the_worker(expression):
    assert not expression_is_bounded(expression)


@pytest.mark.parametrize("script", [
    "referral = []",
    "outcome = 'dismissed'",
    "suggested_referrals = sorted(set(referral))\ndel referral\nreferrals = []",
    'referral_answer = {"referral": referral, "statement": statement, "objection": objection}',
])
def test_short_assignment_scripts_run_in_process(script):
    assert script_is_bounded(script)


@pytest.mark.parametrize("script", [
    "s = s + s\ns = s + s",                     # each line doubles: exponential in the number of lines
    "a = x + x\nb = a + a",                     # the same through another name
    "d['self'] = d",                            # changes data in place (and can make it refer to itself)
    "x += 1",
    "while True:\n    pass",
    "for i in x:\n    y = i",
    "if a:\n    b = 1",
    "def f():\n    return 1\ny = f()",
    "a, b = pair",
    "len = 3",
    "x = 10**10**8 > 5",
])
def test_scripts_that_could_run_away_go_to_the_worker(script):
    assert not script_is_bounded(script)


class NoWorkers(ScriptPool):
    def _call(self, op, subject, source, context, external):
        raise AssertionError(f"{source!r} went to a worker")


def test_in_process_scripts_keep_earlier_tasks_data_and_refuse_what_cannot_be_saved():
    env = RestrictedEnvironment(NoWorkers(ScriptLimits(result_mb=1)))
    earlier = {"tags": ["b", "a"]}
    data = dict(earlier)
    env.execute("uniq = sorted(set(tags))\ntags = []", data, {})
    assert data == {"tags": [], "uniq": ["a", "b"]} and earlier == {"tags": ["b", "a"]}
    with pytest.raises(TypeError, match="a value in 'seen' that cannot be saved with the case"):
        env.execute("seen = set(tags)", {"tags": ["a"]}, {})
    with pytest.raises(Exception, match="the script's result is larger than 1 MB"):
        env.execute("big = text + text", {"text": "x" * 2**20}, {})
