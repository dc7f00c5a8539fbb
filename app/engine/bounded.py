"""Which expressions and scripts provably cannot run away, so they may run in the server's own process.

Every expression and script not proven here runs in a script worker that is
killed at its limits (see ``script_pool``). The proof is syntactic: an
expression qualifies only if every node of its syntax tree is on an
allow-list whose cost is bounded by the size of the source and of the case
data it reads:

- an expression binds no names and has no loops, comprehensions, generators
  or lambdas, so each operator runs once and every intermediate value is at
  most (length of the source) x (size of the data it reads);
- no operator whose result can be far larger than its operands: ``**``
  (``10**10**8``), ``<<``, ``%`` (``'%0999999999d' % 1``), ``@``, f-strings
  (``f'{x:>999999999}'``) and ``*`` unless one side is a float literal
  (``'x' * 10**10`` repeats a sequence; ``2.5 * x`` cannot);
- calls only to a few builtins and methods that take at most linear (or
  ``n log n``) time and space and never mutate; never ``pow``, ``range``,
  ``round`` (``round(5, -10**8)``), ``math.*`` or ``str.format``; keyword
  arguments only with literal values, and no builtin, module or method passed
  as a value (``sorted(x, key=math.factorial)``).

``+`` (concatenation), comparison and ``in`` are linear in their operands;
the operands are the source's constants and the case data, whose size is
bounded when it is stored.

A script qualifies if it is straight-line code of such expressions, each
assigned to plain names (``del name`` and ``pass`` allowed too), and no
expression reads a name the script assigned before: so no value is built from
another computed value (``s = s + s`` twice would double twice; repeated, it
grows exponentially), nothing is changed in place and nothing can refer to
itself. Each value is then as bounded as a single expression.
"""
from __future__ import annotations

import ast
from functools import lru_cache

from .restricted import SANDBOX_GLOBALS

#: Builtins whose cost is linear (sorted: n log n) in their arguments and which change nothing.
SAFE_CALLS = frozenset({"len", "abs", "bool", "int", "float", "str", "min", "max", "any", "all", "sorted",
                        "list", "tuple", "set", "dict"})
#: Methods of dict and str that are linear in the object they are called on and change nothing.
SAFE_METHODS = frozenset({"get", "keys", "values", "items", "lower", "upper", "casefold", "strip", "lstrip",
                          "rstrip", "startswith", "endswith", "isdigit"})
#: Names of the sandbox's builtins and modules: usable only as the function of a safe call.
_SANDBOX_NAMES = frozenset(SANDBOX_GLOBALS) | frozenset(SANDBOX_GLOBALS["__builtins__"])
_SAFE_BINOPS = (ast.Add, ast.Sub, ast.Div, ast.FloorDiv, ast.BitAnd, ast.BitOr, ast.BitXor, ast.RShift)
_ALLOWED = (ast.Expression, ast.Constant, ast.Name, ast.Load, ast.operator, ast.unaryop, ast.boolop, ast.cmpop,
            ast.BoolOp, ast.UnaryOp, ast.Compare, ast.IfExp, ast.Subscript, ast.Slice, ast.Tuple, ast.List,
            ast.Dict, ast.Set, ast.keyword)


def _is_float_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, float)


def _binop_is_bounded(node: ast.BinOp) -> bool:
    if isinstance(node.op, _SAFE_BINOPS):
        return True
    return isinstance(node.op, ast.Mult) and (_is_float_literal(node.left) or _is_float_literal(node.right))


def _call_is_bounded(node: ast.Call) -> bool:
    if any(isinstance(a, ast.Starred) for a in node.args):
        return False
    if any(k.arg is None or not isinstance(k.value, ast.Constant) for k in node.keywords):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in SAFE_CALLS
    return isinstance(func, ast.Attribute) and func.attr in SAFE_METHODS


def _node_is_bounded(node: ast.AST, callees: set[int]) -> bool:
    if isinstance(node, ast.BinOp):
        return _binop_is_bounded(node)
    if isinstance(node, ast.Call):
        return _call_is_bounded(node)
    if id(node) in callees:  # the function of a call checked above
        return True
    if isinstance(node, ast.Name):
        return node.id not in _SANDBOX_NAMES
    return isinstance(node, _ALLOWED)


def _tree_is_bounded(tree: ast.AST) -> bool:
    nodes = list(ast.walk(tree))
    callees = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
    return all(_node_is_bounded(node, callees) for node in nodes)


@lru_cache(maxsize=4096)
def expression_is_bounded(source: str) -> bool:
    """True if evaluating the expression ``source`` provably takes bounded time and memory."""
    try:
        return _tree_is_bounded(ast.parse(source, mode="eval"))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


def _names(targets: list[ast.expr]) -> list[str] | None:
    """The plain names assigned (or deleted); None if any target is something else."""
    if all(isinstance(t, ast.Name) and t.id not in _SANDBOX_NAMES for t in targets):
        return [t.id for t in targets]
    return None


def _statements_are_bounded(body: list[ast.stmt]) -> bool:
    assigned: set[str] = set()
    for statement in body:
        if isinstance(statement, ast.Pass):
            continue
        if not isinstance(statement, (ast.Assign, ast.Delete)):
            return False
        names = _names(statement.targets)
        if names is None:
            return False
        if isinstance(statement, ast.Assign):
            value = statement.value
            if not _tree_is_bounded(ast.Expression(value)):
                return False
            if any(isinstance(n, ast.Name) and n.id in assigned for n in ast.walk(value)):
                return False
        assigned.update(names)
    return True


@lru_cache(maxsize=2048)
def script_is_bounded(source: str) -> bool:
    """True if running the script ``source`` provably takes bounded time and memory."""
    try:
        return _statements_are_bounded(ast.parse(source, mode="exec").body)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
