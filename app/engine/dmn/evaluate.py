"""Evaluate a decision and the decisions it requires, with the table's hit policy.

The result is Camunda's shape: a list of matched rules, each a dict of output
name to value (one entry for an aggregated COLLECT or a literal expression).
How it reaches the case data is the business-rule task's choice (``map_result``).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import feel
from .model import Decision, Rule

Evaluator = Callable[[str, Mapping[str, Any]], Any]

SINGLE_HIT = ("UNIQUE", "FIRST", "ANY", "PRIORITY")
#: How a decision's result becomes case data (Camunda's mapDecisionResult, plus Lotsen's own).
MAPPINGS = ("variables", "singleEntry", "singleResult", "collectEntries", "resultList", "value")


class DecisionFailed(Exception):
    """A decision could not be made (a cell failed, or the hit policy was violated)."""


def _where(decision: Decision, rule: Rule | None = None) -> str:
    where = f"decision {decision.name!r} ({decision.id})" if decision.name != decision.id else \
        f"decision {decision.id!r}"
    return f"{where}, rule {rule.number} ({rule.id})" if rule is not None else where


def _run(evaluate: Evaluator, source: str, scope: Mapping, what: str):
    try:
        return evaluate(source, scope)
    except Exception as exc:  # the cell's own error, named with where it happened
        raise DecisionFailed(f"{what}: {type(exc).__name__}: {exc}") from None


def _typed(value, type_ref: str | None):
    """Camunda converts input values to the column's type: a text "300" is the number 300 in a double column."""
    if isinstance(value, str) and type_ref in ("integer", "long", "double", "number"):
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            return value
        return int(number) if type_ref in ("integer", "long") and number.is_integer() else number
    return value


class _Evaluation:
    def __init__(self, decisions: Mapping[str, Decision], evaluate: Evaluator):
        self.decisions, self.evaluate = decisions, evaluate
        self.results: dict[str, list[dict]] = {}

    def result(self, ident: str, data: Mapping, trail: tuple[str, ...] = ()) -> list[dict]:
        if ident in self.results:
            return self.results[ident]
        decision = self.decisions.get(ident)
        if decision is None:
            raise DecisionFailed(f"decision {ident!r} is not deployed with this process")
        if ident in trail:
            raise DecisionFailed(f"decisions {' → '.join(trail + (ident,))} require each other in a circle")
        scope = dict(data)
        for required in decision.required:
            scope.update(variables(self.decisions[required], self.result(required, data, trail + (ident,))))
        if decision.literal is not None:
            value = _run(self.evaluate, decision.literal, scope, _where(decision))
            outcome = [{decision.variable: value}]
        else:
            outcome = self.table(decision, scope)
        self.results[ident] = outcome
        return outcome

    def table(self, decision: Decision, scope: Mapping) -> list[dict]:
        columns = []
        for column in decision.inputs:
            value = _run(self.evaluate, column.expression, scope, f"{_where(decision)}, input {column.label!r}")
            columns.append({**scope, feel.INPUT: _typed(value, column.type_ref)})
        matched = []
        for rule in decision.rules:
            if self.matches(decision, rule, columns):
                matched.append((rule, self.outputs(decision, rule, scope)))
                if decision.hit_policy == "FIRST":
                    break
        return self.apply_policy(decision, matched, scope)

    def matches(self, decision: Decision, rule: Rule, columns: list[dict]) -> bool:
        for column, test, scope in zip(decision.inputs, rule.tests, columns, strict=True):
            if test is not None and not _run(self.evaluate, test, scope,
                                             f"{_where(decision, rule)}, input {column.label!r}"):
                return False
        return True

    def outputs(self, decision: Decision, rule: Rule, scope: Mapping) -> dict:
        return {o.name: _run(self.evaluate, source, scope, f"{_where(decision, rule)}, output {o.name!r}")
                for o, source in zip(decision.outputs, rule.outputs, strict=True)}

    def apply_policy(self, decision: Decision, matched: list[tuple[Rule, dict]], scope: Mapping) -> list[dict]:
        policy = decision.hit_policy
        if policy == "UNIQUE" and len(matched) > 1:
            (first, _), (second, _) = matched[:2]
            raise DecisionFailed(f"{_where(decision)} has hit policy UNIQUE, but rule {first.number} ({first.id}) "
                                 f"and rule {second.number} ({second.id}) both match")
        if policy == "ANY":
            differing = next(((r, o) for r, o in matched[1:] if o != matched[0][1]), None)
            if differing is not None:
                raise DecisionFailed(f"{_where(decision)} has hit policy ANY, but rule {matched[0][0].number} "
                                     f"({matched[0][0].id}) and rule {differing[0].number} ({differing[0].id}) "
                                     "match with different outputs")
            matched = matched[:1]
        if policy in ("PRIORITY", "OUTPUT ORDER"):
            matched = sorted(matched, key=lambda m: self.priority(decision, m[1], scope))
            if policy == "PRIORITY":
                matched = matched[:1]
        entries = [outputs for _, outputs in matched]
        if decision.aggregation:
            return [{decision.outputs[0].name: _aggregate(decision, entries)}]
        return entries

    def priority(self, decision: Decision, outputs: dict, scope: Mapping) -> tuple:
        keys = []
        for output in decision.outputs:
            allowed = [_run(self.evaluate, v, scope, f"{_where(decision)}, output values of {output.name!r}")
                       for v in output.values]
            value = outputs[output.name]
            keys.append(allowed.index(value) if value in allowed else len(allowed))
        return tuple(keys)


def _aggregate(decision: Decision, entries: list[dict]):
    name = decision.outputs[0].name
    values = [e[name] for e in entries if e[name] is not None]
    if decision.aggregation == "COUNT":
        return len(values)
    if not values:
        return None
    try:
        return {"SUM": sum, "MIN": min, "MAX": max}[decision.aggregation](values)
    except TypeError as exc:
        raise DecisionFailed(f"{_where(decision)}: cannot take the {decision.aggregation} of {values!r} "
                             f"({exc})") from None


def evaluate(decisions: Mapping[str, Decision], ident: str, data: Mapping, evaluator: Evaluator) -> list[dict]:
    """The result of decision ``ident`` on ``data``: one dict of outputs per matched rule."""
    return _Evaluation(decisions, evaluator).result(ident, data)


def multi_hit(decision: Decision) -> bool:
    return decision.literal is None and decision.hit_policy not in SINGLE_HIT and not decision.aggregation


def variables(decision: Decision, result: list[dict]) -> dict:
    """Lotsen's mapping: a single hit's outputs by name (None when nothing matched); lists for several hits."""
    names = decision.output_names
    if multi_hit(decision):
        return {name: [entry[name] for entry in result] for name in names}
    entry = result[0] if result else {}
    return {name: entry.get(name) for name in names}


def map_result(decision: Decision, result: list[dict], mapping: str):
    """The value a result variable gets under Camunda's ``mapDecisionResult`` (or Zeebe's ``value``)."""
    names = decision.output_names
    if mapping == "resultList":
        return result
    if mapping == "collectEntries":
        return [entry[names[0]] for entry in result]
    if mapping in ("singleEntry", "singleResult") and len(result) > 1:
        raise DecisionFailed(f"{_where(decision)} matched {len(result)} rules, but the task maps its result with "
                             f"{mapping}, which takes one")
    if mapping == "singleEntry":
        return result[0][names[0]] if result else None
    if mapping == "singleResult":
        return result[0] if result else None
    # "value": what Camunda 8 stores in a result variable
    values = [entry[names[0]] if len(names) == 1 else entry for entry in result]
    if multi_hit(decision):
        return values
    return values[0] if values else None
