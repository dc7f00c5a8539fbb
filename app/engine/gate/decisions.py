"""Every outcome a decision table can give, so the walk follows each rule's answer."""
from __future__ import annotations

import json

from ..dmn.evaluate import map_result, variables


def _decision(task):
    spec = task.task_spec
    if not hasattr(spec, "loaded") or not getattr(spec, "decision_ref", None):
        return None
    return spec.loaded().get(spec.decision_ref)


def has_choices(task) -> bool:
    """A decision table with rules: the walk tries each rule's outputs."""
    decision = _decision(task)
    return decision is not None and decision.literal is None and bool(decision.rules)


def _as_task_data(task, decision, result: list[dict]) -> dict:
    """What the task would put in the case data for ``result`` (as DecisionTask does)."""
    spec = task.task_spec
    if spec.result_variable:
        return {spec.result_variable: map_result(decision, result, spec.result_mapping or "resultList")}
    return variables(decision, result)


def outcomes(task) -> list[dict | None]:
    """None (the table's own answer for the case's data), then each rule's outputs."""
    decision = _decision(task)
    evaluate = task.workflow.script_engine.environment.evaluate
    scope = dict(task.data)
    found: list[dict | None] = [None]
    seen: set[str] = set()
    for rule in decision.rules:
        try:
            outputs = {o.name: evaluate(source, scope) for o, source in zip(decision.outputs, rule.outputs,
                                                                            strict=True)}
            data = _as_task_data(task, decision, [outputs])
        except Exception:  # an output that fails here fails in the table's own answer too
            continue
        key = json.dumps(data, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            found.append(data)
    # "No rule matched" is not forced: whether it can happen depends on the data, and the table's own answer
    # (None above) on every generated submission shows it where it can; forcing it refused tables whose rules
    # cover every value their inputs can take (Camunda's invoice approvers).
    return found
