"""Which case variables each element reads and sets, found in its scripts, expressions and forms.

Used for the gate's static check (a name read that no earlier step can have
set) and for the walk's state key (the values that conditions read).
"""
from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from ..dmn import feel
from ..restricted import SANDBOX_GLOBALS

#: Names every script has without reading case data.
GIVEN = frozenset(SANDBOX_GLOBALS["__builtins__"]) | frozenset(SANDBOX_GLOBALS) | {"True", "False", "None"}
#: Set by an element whose outputs are unknown (an external worker's variables): any name may be set.
ANY = "*"
#: Phases of one element, in the order they run: "pre" (before it starts: form defaults, timers,
#: pre-scripts), "main" (its own work), "post" (post-scripts).
PHASES = ("pre", "main", "post")


class _Reads(ast.NodeVisitor):
    """Names read before the code itself binds them (comprehension and lambda names are local)."""

    def __init__(self) -> None:
        self.bound: set[str] = set()
        self.reads: set[str] = set()
        self.local: list[set[str]] = []

    def visit_Name(self, node: ast.Name) -> None:
        if any(node.id in scope for scope in self.local):
            return
        if isinstance(node.ctx, ast.Load):
            if node.id not in self.bound:
                self.reads.add(node.id)
        elif isinstance(node.ctx, ast.Store):
            self.bound.add(node.id)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self.visit(target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name) and node.target.id not in self.bound:
            self.reads.add(node.target.id)
        self.visit(node.value)
        self.visit(node.target)

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        self.visit(node.target)
        for child in node.body + node.orelse:
            self.visit(child)

    def _scoped(self, names: set[str], *parts) -> None:
        self.local.append(names)
        for part in parts:
            self.visit(part)
        self.local.pop()

    def _comprehension(self, node, *results) -> None:
        generators = node.generators
        self.visit(generators[0].iter)  # evaluated outside the comprehension
        names = {n.id for g in generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
        parts = [*results, *[i for g in generators for i in g.ifs], *[g.iter for g in generators[1:]]]
        self._scoped(names, *parts)

    def visit_ListComp(self, node) -> None:
        self._comprehension(node, node.elt)

    visit_SetComp = visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node) -> None:
        self._comprehension(node, node.key, node.value)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._scoped({a.arg for a in node.args.args + node.args.kwonlyargs}, node.body)


def code_reads(source: str | None) -> set[str]:
    """Case variables a script or expression reads before setting them."""
    tree = _parse(source)
    if tree is None:
        return set()
    visitor = _Reads()
    visitor.visit(tree)
    return visitor.reads - GIVEN


def code_sets(source: str | None) -> set[str]:
    """Case variables a script assigns."""
    tree = _parse(source)
    if tree is None:
        return set()
    visitor = _Reads()
    visitor.visit(tree)
    return visitor.bound - GIVEN


def _parse(source: str | None) -> ast.AST | None:
    if not source or not str(source).strip():
        return None
    try:
        return ast.parse(str(source).strip())
    except SyntaxError:
        return None  # the file checks report it


@dataclass
class ElementIO:
    """What one element reads and sets, by phase; ``reads`` maps a name to where it is read."""

    reads: dict[str, dict[str, str]] = field(default_factory=lambda: {p: {} for p in PHASES})
    sets: dict[str, set[str]] = field(default_factory=lambda: {p: set() for p in PHASES})

    def read(self, phase: str, names: set[str], where: str) -> None:
        for name in sorted(names):
            self.reads[phase].setdefault(name, where)

    @property
    def all_sets(self) -> set[str]:
        return set().union(*self.sets.values())


def _definitions(ts) -> list:
    ed = getattr(ts, "event_definition", None)
    if ed is None:
        return []
    return list(ed.event_definitions) if isinstance(ed, MultipleEventDefinition) else [ed]


def _form_io(ts, io: ElementIO, forms: Mapping[str, dict]) -> None:
    extensions = getattr(ts, "extensions", None) or {}
    form = extensions.get("formJsonSchemaFilename") or (extensions.get("properties") or {}).get("form")
    schema = forms.get(form) if form else None
    if not isinstance(schema, Mapping):
        return
    props = schema.get("properties") or {}
    variable = getattr(ts, "variable", None)
    io.sets["main"] |= {variable} if variable else set(props)
    if "StartEvent" in type(ts).__name__:  # no case data exists yet: a start form's defaults are its own choices
        return
    for name, prop in props.items():
        source = prop.get("x-default-from") if isinstance(prop, Mapping) else None
        if isinstance(source, str) and source:
            io.read("pre", {source.split(".")[0]}, f"the default of form field {name!r}")


def _dmn_io(ts, io: ElementIO) -> None:
    """A business-rule task: what its decision (and those it requires) reads, and what it sets."""
    decisions = ts.loaded()
    outputs = {name for d in decisions.values() for name in d.output_names if name}
    reads: dict[str, str] = {}
    for d in decisions.values():
        where = f"decision {d.id}"
        sources = [c.expression for c in d.inputs] + [d.literal or ""]
        sources += [t for rule in d.rules for t in rule.tests if t] + [o for rule in d.rules for o in rule.outputs]
        for source in sources:
            for name in code_reads(source) - {feel.INPUT} - outputs:
                reads.setdefault(name, where)
    for name, where in sorted(reads.items()):
        io.read("main", {name}, where)
    called = decisions.get(ts.decision_ref)
    if ts.result_variable:
        io.sets["main"].add(ts.result_variable)
    elif called is not None:
        io.sets["main"] |= {n for n in called.output_names if n}


def _event_io(ts, io: ElementIO) -> None:
    for d in _definitions(ts):
        if isinstance(d, TimerEventDefinition):
            io.read("pre", code_reads(d.expression), "its timer")
        elif isinstance(d, MessageEventDefinition) and getattr(d, "message_var", None):
            io.sets["main"].add(d.message_var)


def _service_io(ts, io: ElementIO) -> None:
    for name, param in (ts.operation_params or {}).items():
        io.read("main", code_reads(param.get("value")), f"parameter {name!r}")
    if getattr(ts, "result_variable", None):
        io.sets["main"].add(ts.result_variable)


def _loop_io(ts, io: ElementIO) -> None:
    for ref, phase in (("data_input", "pre"), ("data_output", "post"), ("input_item", "pre"), ("output_item", "post")):
        item = getattr(ts, ref, None)
        name = getattr(item, "bpmn_id", None)
        if not name:
            continue
        if ref == "data_input":
            io.read(phase, {name}, "its collection")
        else:
            io.sets[phase].add(name)


def element_io(ts, forms: Mapping[str, dict]) -> ElementIO:
    """What the element ``ts`` (a task spec) reads and sets."""
    io = ElementIO()
    io.read("pre", code_reads(getattr(ts, "prescript", None)), "its pre-script")
    io.sets["pre"] |= code_sets(getattr(ts, "prescript", None))
    io.read("main", code_reads(getattr(ts, "script", None)), "its script")
    io.sets["main"] |= code_sets(getattr(ts, "script", None))
    io.read("post", code_reads(getattr(ts, "postscript", None)), "its post-script")
    io.sets["post"] |= code_sets(getattr(ts, "postscript", None))
    for cond, _target in getattr(ts, "cond_task_specs", None) or []:
        if cond is not None:
            io.read("main", code_reads(cond.args[0]), "a condition on its outgoing flow")
    if getattr(ts, "operation_name", None) is not None:
        _service_io(ts, io)
    if hasattr(ts, "loaded") and getattr(ts, "decision_ref", None):
        _dmn_io(ts, io)
    if getattr(ts, "input_item", None) is not None or getattr(ts, "data_input", None) is not None:
        _loop_io(ts, io)
    _event_io(ts, io)
    _form_io(ts, io, forms)
    props = (getattr(ts, "extensions", None) or {}).get("properties") or {}
    for key in ("group_expression", "assignee_expression", "due_expression"):
        io.read("pre", code_reads(props.get(key)), f"its {key.replace('_', ' ')}")
    if getattr(ts, "topic", None) is not None:  # an external task: its worker may send any variable
        io.sets["main"].add(ANY)
    if "CallActivity" in type(ts).__name__:  # the called process's variables come back with it
        io.sets["main"].add(ANY)
    return io


def _closure(specs, own: dict[int, frozenset]) -> dict[int, frozenset]:
    """For every task spec (by ``id``), the union of ``own`` over it and everything after it."""
    ahead = dict(own)
    changed = True
    while changed:
        changed = False
        for spec in specs:
            for ts in spec.task_specs.values():
                more = ahead[id(ts)].union(*[ahead.get(id(o), frozenset()) for o in ts.outputs])
                if more != ahead[id(ts)]:
                    ahead[id(ts)] = more
                    changed = True
    return ahead


def conditions_ahead(specs) -> dict[int, frozenset[str]]:
    """For every task spec (by ``id``), the gateway conditions a case there may still meet."""
    return _closure(specs, {id(ts): frozenset(c.args[0] for c, _t in getattr(ts, "cond_task_specs", None) or []
                                              if c is not None)
                            for spec in specs for ts in spec.task_specs.values()})


def reads_ahead(specs, forms: Mapping[str, dict]) -> dict[int, frozenset[str]]:
    """For every task spec (by ``id``), the names it or any element after it may read."""
    own = {}
    for spec in specs:
        for ts in spec.task_specs.values():
            io = element_io(ts, forms)
            own[id(ts)] = frozenset().union(*[set(r) for r in io.reads.values()])
    return _closure(specs, own)
