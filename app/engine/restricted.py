"""RestrictedPython rules for scripts, conditions and expressions in diagrams.

Every script is compiled with ``compile_restricted`` (never plain ``exec``):
imports, dunder attributes and other escapes are refused at compile time, and
attribute, item and iteration access go through RestrictedPython's guards.

This module imports only the standard library and RestrictedPython: the script
worker process (``script_worker.py``) loads it by path, without the ``app``
package, so that a worker starts in a few tens of milliseconds.
"""
from __future__ import annotations

import ast
import builtins
import math
import operator
from datetime import datetime, timedelta
from functools import lru_cache
from uuid import UUID

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython import limited_builtins, safe_builtins, utility_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, safer_getattr

SCRIPT_FILENAME = "<lotsen-script>"

_INPLACE = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow,
    "&=": operator.iand, "|=": operator.ior, "^=": operator.ixor,
}


class ScriptRejected(Exception):
    """A script or expression does not compile under the sandbox's rules."""


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


def evaluate(source: str, context: dict, external_context: dict | None = None):
    """The value of the expression ``source`` over ``context`` (task data)."""
    code = compile_expression(source)
    scope = dict(SANDBOX_GLOBALS)
    scope.update(external_context or {})
    scope.update(context)
    return eval(code, scope)  # restricted code


def execute(source: str, context: dict, external_context: dict | None = None) -> dict:
    """Run the script ``source`` on ``context`` (which it changes) and return the task data it leaves.

    The caller passes a copy of the task data: SpiffWorkflow 3.2 shares nested
    values between tasks, and a script must never change an earlier task's data.
    """
    code = compile_script(source)
    scope = context
    scope.update(SANDBOX_GLOBALS)
    scope.update(external_context or {})
    exec(code, scope)  # restricted code
    result = {k: v for k, v in scope.items()
              if not k.startswith("_") and k not in SANDBOX_GLOBALS
              and not (external_context and k in external_context) and not callable(v)
              and not isinstance(v, type(math))}
    return result


class ResultTooLarge(Exception):
    """A script's or expression's result is larger than the limit."""


_SCALARS = (str, int, float, bool, type(None), datetime, timedelta, UUID)
_KEYS = (str, int, float, bool, type(None))
#: Python writes integers of at most 4300 digits as text (sys.int_info.default_max_str_digits).
_MAX_INT_BITS = 14_000


def _unsupported(name: str, value) -> TypeError:
    return TypeError(f"the script left a value in '{name}' that cannot be saved with the case "
                     f"(a {type(value).__name__}; use lists, dictionaries, text and numbers)")


def check_result(data: dict, limit: int, *, sets: bool = False) -> None:
    """Refuse data the case's saved state cannot hold, or whose saved form exceeds ``limit`` bytes.

    ``sets``: also accept sets (an expression's value, e.g. a condition's operand).

    Walks the data as it will be written out, so a structure that refers to one
    value many times (or to itself) counts as often as it will be written, and
    the walk stops once the limit is passed.
    """
    size = 0
    stack = list(data.items())
    while stack:
        name, value = stack.pop()
        size += len(value) if isinstance(value, str) else 8
        if isinstance(value, (list, tuple, dict, set, frozenset)):
            size += 8 * len(value)
        if size > limit:
            raise ResultTooLarge(name)
        if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
            raise TypeError(f"the script left a number in '{name}' too large to be saved with the case")
        if isinstance(value, _SCALARS):
            continue
        if isinstance(value, (list, tuple)) or (sets and isinstance(value, (set, frozenset))):
            stack.extend((name, item) for item in value)
        elif isinstance(value, dict):
            if not all(isinstance(k, _KEYS) for k in value):
                raise TypeError(f"the script left '{name}' with keys that cannot be saved with the case")
            stack.extend((name, item) for item in value.items())
        else:
            raise _unsupported(name, value)


def error_line(exc: BaseException) -> int | None:
    """The line of the script where ``exc`` was raised, if it came from script code."""
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == SCRIPT_FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
