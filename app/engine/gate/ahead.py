"""What lies ahead of one running case on another version: the gate's walker, started where the case is.

The service (``app.services.ahead``) supplies the version's forms and the host's
rules; this module walks the migrated workflow (in memory, never saved) and
words the first failure as a reason a person can read.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from SpiffWorkflow.util.task import TaskState

from ..runtime import ProcessEngine
from ..words import N_, Reason, Words, label
from .walk import GATE_VERSION, Inputs, Limits, Walker

#: A short walk: only what lies ahead of one case.
AHEAD = Limits(max_paths=80, max_steps=6000, loop_unroll=1)
_NAME_ERROR = re.compile(r"NameError: name '([^']+)' is not defined")


def _shape(value) -> str:
    if isinstance(value, dict):
        return "dict:" + ",".join(sorted(value))
    return type(value).__name__


def situation(wf) -> tuple:
    """Where a case is and what kinds of data it has: cases in the same situation share one walk."""
    active = sorted((t.task_spec.name, t.state) for t in wf.get_tasks(state=TaskState.READY | TaskState.WAITING))
    data = ProcessEngine.case_data(wf)
    return tuple(active), tuple(sorted((k, _shape(v)) for k, v in data.items()))


def trouble(engine: ProcessEngine, wf, spec, subprocesses: Mapping, inputs: Inputs, operations: Mapping, *,
            number: int, scripts=None) -> Reason | None:
    """Why ``wf`` (already moved onto ``spec``, version ``number``) would fail ahead; None if it would not."""
    own = wf.version_id
    wf.version_id = GATE_VERSION
    try:
        state = engine.dump(wf)
    finally:
        wf.version_id = own
    walker = Walker(spec, subprocesses, inputs, operations, limits=AHEAD, scripts=scripts)
    walker.walk(state)
    return _reason(walker, number) if walker.findings else None


def _reason(walker: Walker, number: int) -> Reason:
    finding = min(walker.findings.values(), key=lambda f: len(f.path))
    ts = next((s.task_specs[finding.element] for s in [walker.spec, *walker.subprocesses.values()]
               if s is not None and finding.element in s.task_specs), None)
    step = label(ts) if ts is not None else Words(repr(finding.element or "?"))
    missing = _NAME_ERROR.search(finding.message)
    if missing:
        return Reason(N_("in version %(n)s the step %(step)s needs %(name)s, which this case does not have"),
                      {"n": number, "step": step, "name": repr(missing.group(1))})
    if finding.message.startswith("dead end"):
        return Reason(N_("in version %(n)s this case would come to a dead end after %(step)s"),
                      {"n": number, "step": step})
    detail = finding.message.split(": ", 1)[-1]
    return Reason(N_("in version %(n)s the step %(step)s would fail for this case (%(error)s)"),
                  {"n": number, "step": step, "error": detail})
