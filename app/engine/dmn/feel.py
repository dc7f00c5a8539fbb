"""DMN cells in Lotsen's (sandboxed Python) expression language.

Decision tables from Camunda Modeler and dmn-js hold FEEL: unary tests in
input cells (``< 250``, ``[250..1000]``, ``"a","b"``, ``not("x")``, ``-``)
and literal expressions in output cells and input expressions. Lotsen's own
tables hold Python cells (``? in ("plank", "mur")``, ``True``). Each cell is read
as FEEL first and, when it is not FEEL, as Python, so both kinds of file work;
where a text means something in both (``"a"``, ``3``, ``-``) it means the same.

An input cell becomes a boolean expression over ``INPUT``, the value of its
column's input expression.
"""
from __future__ import annotations

import ast
import re

from ..expressions import Untranslatable, translate_feel

#: The name an input cell's expression reads the column's value by (``?`` in a cell).
INPUT = "dmninputexpr"

_INTERVAL = re.compile(r"^([\[\]\(])\s*(.+?)\s*\.\.\s*(.+?)\s*([\[\]\)])$", re.S)
_COMPARISON = re.compile(r"^(<=|>=|!=|<|>|=)\s*(.+)$", re.S)
_NOT = re.compile(r"^not\s*\((.*)\)$", re.S)
_PY_OPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "==", "!=": "!="}


def input_test(text: str | None) -> str | None:
    """A Python boolean expression over ``INPUT`` for an input cell; None when it matches anything."""
    source = (text or "").strip()
    if source in ("", "-"):
        return None
    if _has_placeholder(source):
        replaced = _replace_placeholder(source)
        try:
            return translate_feel(replaced)
        except Untranslatable:
            return replaced  # a Python cell such as ? in ("plank", "mur")
    try:
        return _unary_tests(source)
    except Untranslatable:
        return _python_cell(source)


def expression(text: str | None) -> str:
    """A FEEL (or Python) literal expression as Python; an empty cell is ``None``."""
    source = (text or "").strip()
    if not source:
        return "None"
    try:
        return translate_feel(source)
    except Untranslatable:
        return source


def _python_cell(source: str) -> str:
    """Lotsen's Python cells: a value is compared with ``==``, else the cell continues the input (``> 20``)."""
    try:
        ast.parse(source, mode="eval")
    except SyntaxError:
        return f"{INPUT} {source}"
    return f"{INPUT} == ({source})"


def _unary_tests(source: str) -> str:
    negated = _NOT.match(source)
    if negated:
        return f"not ({_positive_tests(negated[1])})"
    return _positive_tests(source)


def _positive_tests(source: str) -> str:
    parts = [p.strip() for p in split_top_level(source, ",")]
    if not parts or any(not p for p in parts):
        raise Untranslatable("a test in the list is empty")
    tests = [_positive_test(p) for p in parts]
    return tests[0] if len(tests) == 1 else " or ".join(f"({t})" for t in tests)


def _positive_test(test: str) -> str:
    if test == "null":
        return f"{INPUT} is None"
    interval = _INTERVAL.match(test)
    if interval:
        opening, low, high, closing = interval.groups()
        low_op = "<=" if opening == "[" else "<"
        high_op = "<=" if closing == "]" else "<"
        return f"{INPUT} is not None and {_endpoint(low)} {low_op} {INPUT} {high_op} {_endpoint(high)}"
    comparison = _COMPARISON.match(test)
    if comparison:
        op, endpoint = comparison.groups()
        if op in ("=", "!="):
            return f"{INPUT} {_PY_OPS[op]} {_endpoint(endpoint)}"
        return f"{INPUT} is not None and {INPUT} {_PY_OPS[op]} {_endpoint(endpoint)}"
    return f"{INPUT} == {_endpoint(test)}"


def _endpoint(text: str) -> str:
    python = translate_feel(text)
    return python if re.fullmatch(r"[\w.'\"-]+", python) else f"({python})"


def split_top_level(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside quotes, brackets and parentheses."""
    parts, depth, quote, start = [], 0, None, 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _outside_quotes(text: str):
    """(index, char) of every character of ``text`` outside string quotes."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = None
        elif ch in "\"'":
            quote = ch
        else:
            yield i, ch


def _has_placeholder(text: str) -> bool:
    return any(ch == "?" for _, ch in _outside_quotes(text))


def _replace_placeholder(text: str) -> str:
    positions = {i for i, ch in _outside_quotes(text) if ch == "?"}
    return "".join(INPUT if i in positions else ch for i, ch in enumerate(text))
