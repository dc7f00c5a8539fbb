"""Decisions read from DMN files: decision tables, literal expressions and their requirements.

Every cell is translated to a sandboxed Python expression when the file is
read (see ``feel``) and compiled at deploy, so a decision that cannot run is
refused then, naming its file, line, decision and rule.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from lxml import etree

from ..sandbox import ScriptRejected, compile_expression
from . import feel

HIT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER")
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")


@dataclass(frozen=True)
class Issue:
    file: str | None
    line: int | None
    element: str | None
    message: str


@dataclass
class Column:
    id: str
    label: str
    expression: str  # Python
    type_ref: str | None = None


@dataclass
class Output:
    id: str
    name: str
    type_ref: str | None = None
    #: Allowed values in priority order (Python literals), for PRIORITY and OUTPUT ORDER.
    values: list[str] = field(default_factory=list)


@dataclass
class Rule:
    id: str
    number: int
    tests: list[str | None]  # per input: Python over feel.INPUT, None = any
    outputs: list[str]  # per output: Python


@dataclass
class Decision:
    id: str
    name: str
    file: str
    required: list[str] = field(default_factory=list)
    hit_policy: str = "UNIQUE"
    aggregation: str | None = None
    inputs: list[Column] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    #: For a literal-expression decision: the variable it sets and its expression.
    variable: str | None = None
    literal: str | None = None

    @property
    def output_names(self) -> list[str]:
        return [self.variable] if self.literal is not None else [o.name for o in self.outputs]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Decision:
        d = dict(d)
        d["inputs"] = [Column(**c) for c in d["inputs"]]
        d["outputs"] = [Output(**o) for o in d["outputs"]]
        d["rules"] = [Rule(**r) for r in d["rules"]]
        return cls(**d)


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _children(el, name: str) -> list:
    return [c for c in el if _local(c) == name]


def _child(el, name: str):
    found = _children(el, name)
    return found[0] if found else None


def _text(el, name: str = "text") -> str | None:
    child = _child(el, name) if el is not None else None
    return child.text if child is not None else None


class _Reader:
    def __init__(self, file: str):
        self.file = file
        self.issues: list[Issue] = []

    def issue(self, el, element: str | None, message: str) -> None:
        self.issues.append(Issue(self.file, el.sourceline if el is not None else None, element, message))

    def compile(self, source: str | None, el, decision: str, what: str) -> None:
        if source is None:
            return
        try:
            compile_expression(source)
        except ScriptRejected as exc:
            self.issue(el, decision, f"decision {decision!r}: {what} ({(el.findtext('{*}text') or '').strip()!r}) "
                                     f"cannot be read: {exc}")

    def decision(self, el) -> Decision | None:
        ident = el.get("id")
        if not ident:
            self.issue(el, None, "a decision has no id")
            return None
        decision = Decision(id=ident, name=el.get("name") or ident, file=self.file)
        for requirement in _children(el, "informationRequirement"):
            required = _child(requirement, "requiredDecision")
            if required is not None and required.get("href"):
                decision.required.append(required.get("href").lstrip("#"))
        table, literal = _child(el, "decisionTable"), _child(el, "literalExpression")
        if table is not None:
            self.table(table, decision)
        elif literal is not None:
            self.literal(el, literal, decision)
        else:
            self.issue(el, ident, f"decision {ident!r} has neither a decision table nor a literal expression")
            return None
        return decision

    def literal(self, el, literal, decision: Decision) -> None:
        variable = _child(el, "variable")
        decision.variable = (variable.get("name") if variable is not None else None) or decision.id
        decision.literal = feel.expression(_text(literal))
        self.compile(decision.literal, literal, decision.id, "the literal expression")

    def table(self, table, decision: Decision) -> None:
        policy = (table.get("hitPolicy") or "UNIQUE").upper().replace("_", " ")
        if policy not in HIT_POLICIES:
            self.issue(table, decision.id, f"decision {decision.id!r}: hit policy {policy!r} is unknown "
                                           f"(use one of {', '.join(HIT_POLICIES)})")
        decision.hit_policy = policy
        aggregation = table.get("aggregation")
        if aggregation:
            decision.aggregation = aggregation.upper()
            if policy != "COLLECT" or decision.aggregation not in AGGREGATIONS:
                self.issue(table, decision.id, f"decision {decision.id!r}: aggregation {aggregation!r} needs hit "
                                               f"policy COLLECT and one of {', '.join(AGGREGATIONS)}")
        for number, column in enumerate(_children(table, "input"), 1):
            self.input(column, number, decision)
        for number, output in enumerate(_children(table, "output"), 1):
            self.output(output, number, decision)
        if not decision.outputs:
            self.issue(table, decision.id, f"decision {decision.id!r} has no output column")
        if decision.aggregation and len(decision.outputs) > 1:
            self.issue(table, decision.id, f"decision {decision.id!r}: an aggregation ({decision.aggregation}) "
                                           "needs exactly one output column")
        if policy in ("PRIORITY", "OUTPUT ORDER") and not all(o.values for o in decision.outputs):
            self.issue(table, decision.id, f"decision {decision.id!r}: hit policy {policy} orders by the output "
                                           "values; give every output column its list of values")
        for number, rule in enumerate(_children(table, "rule"), 1):
            self.rule(rule, number, decision)

    def input(self, column, number: int, decision: Decision) -> None:
        expression_el = _child(column, "inputExpression")
        source = (_text(expression_el) or "").strip() if expression_el is not None else ""
        label = column.get("label") or source or f"input {number}"
        if not source:
            self.issue(column, decision.id, f"decision {decision.id!r}: input {label!r} has no input expression")
            source = "None"
        python = feel.expression(source)
        decision.inputs.append(Column(id=column.get("id") or f"input_{number}", label=label, expression=python,
                                      type_ref=expression_el.get("typeRef") if expression_el is not None else None))
        self.compile(python, expression_el if expression_el is not None else column, decision.id,
                     f"the expression of input {label!r}")

    def output(self, output, number: int, decision: Decision) -> None:
        name = output.get("name") or (output.get("id") if len(_children(output.getparent(), "output")) == 1
                                      else None)
        if not name:
            self.issue(output, decision.id, f"decision {decision.id!r}: output {number} has no name (the name is "
                                            "the variable it sets)")
            name = f"output_{number}"
        values = feel.split_top_level(_text(_child(output, "outputValues")) or "", ",")
        decision.outputs.append(Output(id=output.get("id") or name, name=name, type_ref=output.get("typeRef"),
                                       values=[feel.expression(v) for v in values if v.strip()]))

    def rule(self, rule, number: int, decision: Decision) -> None:
        entries, outputs = _children(rule, "inputEntry"), _children(rule, "outputEntry")
        ident = rule.get("id") or f"rule_{number}"
        if len(entries) != len(decision.inputs) or len(outputs) != len(decision.outputs):
            self.issue(rule, decision.id, f"decision {decision.id!r}: rule {number} ({ident}) has {len(entries)} "
                                          f"input and {len(outputs)} output cells; the table has "
                                          f"{len(decision.inputs)} inputs and {len(decision.outputs)} outputs")
            return
        tests = []
        for column, entry in zip(decision.inputs, entries, strict=True):
            test = feel.input_test(_text(entry))
            self.compile(test, entry, decision.id, f"rule {number} ({ident}), input {column.label!r}")
            tests.append(test)
        values = []
        for output, entry in zip(decision.outputs, outputs, strict=True):
            value = feel.expression(_text(entry))
            self.compile(value, entry, decision.id, f"rule {number} ({ident}), output {output.name!r}")
            values.append(value)
        decision.rules.append(Rule(id=ident, number=number, tests=tests, outputs=values))


def read_file(file: str, root) -> tuple[list[Decision], list[Issue]]:
    """Every decision of one parsed DMN document, with the problems found in it."""
    reader = _Reader(file)
    decisions = []
    if _local(root) != "definitions":
        reader.issue(root, None, "a DMN file must have <definitions> as its root element")
        return [], reader.issues
    for el in _children(root, "decision"):
        decision = reader.decision(el)
        if decision is not None:
            decisions.append(decision)
    return decisions, reader.issues
