"""The script environment SpiffWorkflow runs diagrams' scripts and expressions in.

Everything is compiled with RestrictedPython (``restricted``). Scripts and
expressions that might run away run in a script worker that is killed at its
limits (``script_pool``); those proven bounded (``bounded``: most gateway
conditions, DMN cells, timer expressions and short assignment scripts) run
here, in-process, which costs microseconds instead of a round trip to a worker.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment

from . import restricted
from .bounded import expression_is_bounded, script_is_bounded
from .restricted import SANDBOX_GLOBALS, ScriptRejected, compile_expression, compile_script
from .script_pool import ScriptLimitExceeded, ScriptLimits, ScriptPool

__all__ = ["RestrictedEnvironment", "ScriptLimitExceeded", "ScriptLimits", "ScriptPool", "ScriptRejected",
           "compile_expression", "compile_script"]


class RestrictedEnvironment(TaskDataEnvironment):
    """A SpiffWorkflow script environment that only runs RestrictedPython code, out of process where needed.

    Scripts run on a copy of the task data (it crosses to the worker) that
    replaces the task data on success, so a script never changes data shared
    with earlier tasks (SpiffWorkflow 3.2 shallow-copies task data between tasks).
    """

    def __init__(self, pool: ScriptPool):
        super().__init__(SANDBOX_GLOBALS)
        self.pool = pool

    def evaluate(self, expression, context, external_context=None):
        source = expression.strip()
        compile_expression(source)  # refuse what does not compile before anything runs
        if expression_is_bounded(source):
            return restricted.evaluate(source, context, external_context)
        return self.pool.evaluate(source, context, external_context)

    def execute(self, script, context, external_context=None):
        compile_script(script)
        self.check_for_overwrite(context, external_context or {})
        if script_is_bounded(script):
            result = self._execute_here(script, context, external_context)
        else:
            result = self.pool.execute(script, context, external_context)
        context.clear()
        context.update(result)
        return True

    def _execute_here(self, script, context, external_context) -> dict:
        # A bounded script changes nothing in place (see ``bounded``), so a
        # shallow copy keeps earlier tasks' data as it was.
        result = restricted.execute(script, dict(context), external_context)
        limits = self.pool.limits
        try:
            restricted.check_result(result, limits.result_mb * 2**20)
        except restricted.ResultTooLarge:
            raise ScriptLimitExceeded("result", limits.result_mb) from None
        return result
