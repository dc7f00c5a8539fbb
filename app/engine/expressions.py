"""Simple JUEL (``${…}``, Camunda 7) and FEEL (``= …``, Camunda 8) expressions in Lotsen's language.

Lotsen's conditions and expressions are sandboxed Python. ``translate_expression``
reads the subset that means the same in both (variables, dotted paths, literals,
comparisons, ``and``/``or``/``not``, arithmetic) into a Python AST and prints
it; anything else (method and function calls, the conditional operator,
Camunda's runtime objects) raises ``Untranslatable`` with the reason.
"""
from __future__ import annotations

import ast
import keyword
import re

#: Names that mean Camunda's runtime objects, which Lotsen's case data does not have.
CAMUNDA_OBJECTS = frozenset({"execution", "task", "authenticatedUserId", "connector", "variableScope"})


class Untranslatable(ValueError):
    """An expression outside the simple subset Lotsen translates."""


_TOKEN = re.compile(r"""\s*(?:
    (?P<num>\d+(?:\.\d+)?)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<op>&&|\|\||==|!=|<=|>=|[<>!=+\-*/%().,?:\[\]{}\#$])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
)""", re.VERBOSE)

_COMPARE = {"==": ast.Eq, "eq": ast.Eq, "!=": ast.NotEq, "ne": ast.NotEq, "<": ast.Lt, "lt": ast.Lt,
            ">": ast.Gt, "gt": ast.Gt, "<=": ast.LtE, "le": ast.LtE, ">=": ast.GtE, "ge": ast.GtE}
_ARITH = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div, "div": ast.Div, "%": ast.Mod, "mod": ast.Mod}
_CONSTANTS = {"true": True, "false": False, "null": None}


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise Untranslatable(f"cannot read {text[pos:].strip()[:20]!r}")
        kind = m.lastgroup
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    return tokens


class _Parser:
    """Recursive descent over the JUEL/FEEL subset, building a Python AST."""

    def __init__(self, tokens: list[tuple[str, str]], feel: bool):
        self.tokens, self.pos, self.feel = tokens, 0, feel

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise Untranslatable("the expression ends too early")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def expect(self, value: str) -> None:
        if self.peek() != value:
            raise Untranslatable(f"expected {value!r}")
        self.pos += 1

    def parse(self) -> ast.expr:
        node = self.or_()
        if self.pos != len(self.tokens):
            raise Untranslatable(f"unexpected {self.peek()!r}")
        return node

    def _bool(self, words: tuple[str, ...], op: type, inner) -> ast.expr:
        values = [inner()]
        while self.peek() in words:
            self.pos += 1
            values.append(inner())
        return values[0] if len(values) == 1 else ast.BoolOp(op=op(), values=values)

    def or_(self) -> ast.expr:
        return self._bool(("||", "or"), ast.Or, self.and_)

    def and_(self) -> ast.expr:
        return self._bool(("&&", "and"), ast.And, self.compare)

    def compare(self) -> ast.expr:
        node = self.arith()
        ops = dict(_COMPARE, **({"=": ast.Eq} if self.feel else {}))
        while self.peek() in ops:
            op = ops[self.take()[1]]
            node = ast.Compare(left=node, ops=[op()], comparators=[self.arith()])
        return node

    def arith(self) -> ast.expr:
        node = self.term()
        while self.peek() in ("+", "-"):
            op = _ARITH[self.take()[1]]
            node = ast.BinOp(left=node, op=op(), right=self.term())
        return node

    def term(self) -> ast.expr:
        node = self.unary()
        while self.peek() in ("*", "/", "%", "div", "mod"):
            op = _ARITH[self.take()[1]]
            node = ast.BinOp(left=node, op=op(), right=self.unary())
        return node

    def unary(self) -> ast.expr:
        word = self.peek()
        if word in ("!", "not"):
            self.pos += 1
            return ast.UnaryOp(op=ast.Not(), operand=self.unary())
        if word == "empty" and not self.feel:
            self.pos += 1
            return ast.UnaryOp(op=ast.Not(), operand=self.unary())
        if word == "-":
            self.pos += 1
            return ast.UnaryOp(op=ast.USub(), operand=self.unary())
        return self.postfix(self.primary())

    def primary(self) -> ast.expr:
        kind, value = self.take()
        if kind == "num":
            return ast.Constant(float(value) if "." in value else int(value))
        if kind == "str":
            if self.feel and value.startswith("'"):
                raise Untranslatable("FEEL strings use double quotes")
            try:
                return ast.Constant(ast.literal_eval(value))
            except (ValueError, SyntaxError) as exc:
                raise Untranslatable(f"cannot read the text {value}") from exc
        if value == "(":
            node = self.or_()
            self.expect(")")
            return node
        if kind == "name":
            if value in _CONSTANTS:
                return ast.Constant(_CONSTANTS[value])
            return self.name(value)
        if value == "?":
            raise Untranslatable("the conditional operator (a ? b : c) is not supported")
        raise Untranslatable(f"unexpected {value!r}")

    def name(self, value: str) -> ast.expr:
        if value in CAMUNDA_OBJECTS:
            raise Untranslatable(f"{value!r} is Camunda's runtime object; Lotsen expressions read case data only")
        if value.startswith("_") or keyword.iskeyword(value) or value in ("instanceof", "matches", "in"):
            raise Untranslatable(f"{value!r} cannot be used as a variable name")
        if self.peek() == "(":
            raise Untranslatable(f"it calls a function ({value}(…)), which Lotsen cannot translate")
        return ast.Name(id=value, ctx=ast.Load())

    def postfix(self, node: ast.expr) -> ast.expr:
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                kind, member = self.take()
                if kind != "name" or member.startswith("_"):
                    raise Untranslatable(f"unexpected {member!r} after '.'")
                if self.peek() == "(":
                    raise Untranslatable(f"it calls a method ({ast.unparse(node)}.{member}(…)), "
                                         "which Lotsen cannot translate")
                key: ast.expr = ast.Constant(member)
            else:
                key = self.or_()
                self.expect("]")
            node = ast.Subscript(value=node, slice=key, ctx=ast.Load())
        if self.peek() == "?":
            raise Untranslatable("the conditional operator (a ? b : c) is not supported")
        return node


def translate_feel(body: str) -> str:
    """A FEEL expression (without the leading ``=``) in Lotsen's (Python) expression language.

    Raises ``Untranslatable`` outside the simple subset, like ``translate_expression``.
    """
    if not (body or "").strip():
        raise Untranslatable("the expression is empty")
    node = _Parser(_tokens(body), True).parse()
    return ast.unparse(ast.fix_missing_locations(ast.Expression(body=node)))


def translate_expression(text: str) -> str:
    """A JUEL ``${…}`` or FEEL ``= …`` expression in Lotsen's (Python) expression language.

    Raises ``Untranslatable`` for anything outside the simple subset: method and
    function calls, the conditional operator, Camunda's runtime objects.
    """
    source = (text or "").strip()
    if (source.startswith("${") or source.startswith("#{")) and source.endswith("}"):
        body, feel = source[2:-1], False
        if "${" in body or "#{" in body:
            raise Untranslatable("it mixes several expressions")
    elif source.startswith("="):
        body, feel = source[1:], True
    else:
        raise Untranslatable("it is neither a JUEL ${…} nor a FEEL = … expression")
    if feel:
        return translate_feel(body)
    if not body.strip():
        raise Untranslatable("the expression is empty")
    node = _Parser(_tokens(body), feel).parse()
    return ast.unparse(ast.fix_missing_locations(ast.Expression(body=node)))
