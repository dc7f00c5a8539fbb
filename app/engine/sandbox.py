"""RestrictedPython sandbox for scripts, conditions and expressions in diagrams.

Every script is compiled with ``compile_restricted`` (never plain ``exec``):
imports, dunder attributes and other escapes are refused at compile time, and
attribute, item and iteration access go through RestrictedPython's guards. A
trace-based wall-clock limit stops runaway loops in script code (a single huge
C-level operation such as ``10**10**8`` cannot be interrupted in-process).
"""
from __future__ import annotations

import ast
import builtins
import copy
import math
import operator
import sys
import time
from functools import lru_cache

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython import limited_builtins, safe_builtins, utility_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, safer_getattr
from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment

SCRIPT_FILENAME = "<lotsen-script>"

_INPLACE = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow,
    "&=": operator.iand, "|=": operator.ior, "^=": operator.ixor,
}


class ScriptRejected(Exception):
    """A script or expression does not compile under the sandbox's rules."""


class ScriptTimeout(Exception):
    """A script ran past its time limit."""


def _inplacevar(op: str, x, y):
    return _INPLACE[op](x, y)


_EXTRA_BUILTINS = ("sum", "min", "max", "any", "all", "sorted", "enumerate", "zip", "map",
                   "filter", "dict", "list", "reversed", "set")

SANDBOX_GLOBALS = {
    "__builtins__": {**safe_builtins, **limited_builtins, **utility_builtins,
                     **{n: getattr(builtins, n) for n in _EXTRA_BUILTINS}},
    "_getattr_": safer_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": _inplacevar,
    "math": math,
}


def _refuse_imports(source: str) -> None:
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ScriptRejected(f"Line {exc.lineno}: {exc.msg}") from exc
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = ", ".join(a.name for a in node.names)
            raise ScriptRejected(f"Line {node.lineno}: imports are not allowed (import {names})")


@lru_cache(maxsize=2048)
def compile_expression(source: str):
    """Compile an expression for the sandbox or raise ``ScriptRejected``."""
    result = compile_restricted_eval(source, filename=SCRIPT_FILENAME)
    if result.errors or result.code is None:
        raise ScriptRejected("; ".join(result.errors) or "does not compile")
    return result.code


@lru_cache(maxsize=1024)
def compile_script(source: str):
    """Compile a script for the sandbox or raise ``ScriptRejected``."""
    _refuse_imports(source)
    result = compile_restricted_exec(source, filename=SCRIPT_FILENAME)
    if result.errors or result.code is None:
        raise ScriptRejected("; ".join(result.errors) or "does not compile")
    return result.code


def _run_limited(fn, limit_s: float):
    """Run ``fn`` and raise ``ScriptTimeout`` if script lines run past ``limit_s``."""
    deadline = time.monotonic() + limit_s

    def local_trace(frame, event, arg):
        if event == "line" and time.monotonic() > deadline:
            raise ScriptTimeout(f"script ran longer than {limit_s:g} s")
        return local_trace

    def global_trace(frame, event, arg):
        return local_trace if frame.f_code.co_filename == SCRIPT_FILENAME else None

    previous = sys.gettrace()
    sys.settrace(global_trace)
    try:
        return fn()
    finally:
        sys.settrace(previous)


class RestrictedEnvironment(TaskDataEnvironment):
    """A SpiffWorkflow script environment that only runs RestrictedPython code.

    Scripts run on a deep copy of the task data that is written back on
    success, so a script can never mutate data shared with earlier tasks
    (SpiffWorkflow 3.2 shallow-copies task data between tasks).
    """

    def __init__(self, time_limit_s: float = 2.0, extra_globals: dict | None = None):
        super().__init__({**SANDBOX_GLOBALS, **(extra_globals or {})})
        self.time_limit_s = time_limit_s

    def evaluate(self, expression, context, external_context=None):
        code = compile_expression(expression.strip())
        scope = dict(self.globals)
        scope.update(external_context or {})
        scope.update(context)
        return _run_limited(lambda: eval(code, scope), self.time_limit_s)  # restricted code

    def execute(self, script, context, external_context=None):
        code = compile_script(script)
        self.check_for_overwrite(context, external_context or {})
        scope = copy.deepcopy(context)
        scope.update(self.globals)
        scope.update(external_context or {})
        _run_limited(lambda: exec(code, scope), self.time_limit_s)  # restricted code
        result = {k: v for k, v in scope.items()
                  if not k.startswith("_") and k not in self.globals
                  and not (external_context and k in external_context) and not callable(v)
                  and not isinstance(v, type(math))}
        context.clear()
        context.update(result)
        return True
