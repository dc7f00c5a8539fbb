"""Passing over a failed step with the result an administrator entered (skip-with-result).

The step is not run again: a service task's result variable gets the entered
result (what the handler would have returned), a script or decision task's
entered values are merged into the case data, and the step is marked done.
Any other element (a gateway, an event) gets the values merged in and then runs
as usual, so a condition that failed on a missing value can be answered.
"""
from __future__ import annotations

from collections.abc import Mapping


class SkipStep(Exception):
    """Raised before a step the administrator skips would run."""

    def __init__(self, task, data: Mapping):
        super().__init__(task.task_spec.bpmn_id)
        self.task = task
        self.data = dict(data)


def interceptor(skips: dict):
    """A ``will_complete_task`` callback that stops the engine before each step in ``skips``."""

    def check(task) -> None:
        element = getattr(task.task_spec, "bpmn_id", None)
        if element in skips and not task.task_spec.manual:
            raise SkipStep(task, skips.pop(element))

    return check


def _not_run(spec) -> bool:
    return bool(getattr(spec, "operation_name", None) or getattr(spec, "script", None)
                or hasattr(spec, "dmnEngine"))


def pass_over(task, data: Mapping, events: list[dict]) -> None:
    """Apply the entered ``data`` to the step ``task`` (see the module docstring)."""
    spec = task.task_spec
    result_variable = getattr(spec, "result_variable", None)
    if getattr(spec, "operation_name", None) and result_variable:
        task.data[result_variable] = dict(data)
    else:
        task.data.update(dict(data))
    events.append({"action": "engine.step_skipped", "element": spec.bpmn_id, "name": spec.bpmn_name})
    if _not_run(spec) or spec.manual:
        complete_without_scripts(task)


def complete_without_scripts(task) -> None:
    """Mark ``task`` done without running it or its pre- and post-scripts."""
    engine = task.workflow.script_engine
    quiet = getattr(engine, "passing_over", None)
    if quiet is not None:
        quiet.add(task.id)
    try:
        task.complete()
    finally:
        if quiet is not None:
            quiet.discard(task.id)
