"""``spiffworkflow:unitTests`` on script tasks (SpiffArena's format), run at deploy.

Each test gives the data before the script (``inputJson``) and the data the
script must leave (``expectedOutputJson``); the script runs in the sandbox on a
copy of the input and the result must equal the expected data.
"""
from __future__ import annotations

import json
from collections.abc import Mapping

from ..sandbox import RestrictedEnvironment, ScriptPool
from .report import Finding

_MAX_DIFFERENCES = 3


def _json(text: str | None, what: str) -> tuple[object, str | None]:
    try:
        return json.loads(text or ""), None
    except json.JSONDecodeError as exc:
        return None, f"{what} is not valid JSON ({exc.msg}, line {exc.lineno})"


def _differences(expected: Mapping, got: Mapping) -> list[str]:
    found = []
    for key in sorted(set(expected) | set(got)):
        if key not in got:
            found.append(f"{key!r} is missing (expected {json.dumps(expected[key], default=str)})")
        elif key not in expected:
            found.append(f"{key!r} was not expected (got {json.dumps(got[key], default=str)})")
        elif expected[key] != got[key]:
            found.append(f"{key!r} is {json.dumps(got[key], default=str)}, expected "
                         f"{json.dumps(expected[key], default=str)}")
    return found


def _run_one(ts, test: Mapping, scripts: ScriptPool) -> str | None:
    """None when the test passes, else what went wrong."""
    given, problem = _json(test.get("inputJson"), "inputJson")
    expected, problem2 = _json(test.get("expectedOutputJson"), "expectedOutputJson")
    if problem or problem2:
        return problem or problem2
    if not isinstance(given, dict) or not isinstance(expected, dict):
        return "inputJson and expectedOutputJson must both be JSON objects"
    context = json.loads(json.dumps(given))
    try:
        RestrictedEnvironment(scripts).execute(ts.script, context)
    except Exception as exc:  # the script failed on the test's data
        return f"the script raised {type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc) else ''}"
    got = json.loads(json.dumps(context, default=str))
    differences = _differences(expected, got)
    if not differences:
        return None
    more = f" (and {len(differences) - _MAX_DIFFERENCES} more)" if len(differences) > _MAX_DIFFERENCES else ""
    return "; ".join(differences[:_MAX_DIFFERENCES]) + more


def run(specs, lines: Mapping, scripts: ScriptPool) -> tuple[list[Finding], dict]:
    """Run every unit test of every script task; return the failures and {"run", "failed"}."""
    findings, run_count, seen = [], 0, set()
    for spec in specs:
        for ts in spec.task_specs.values():
            tests = (getattr(ts, "extensions", None) or {}).get("unitTests") or []
            if not getattr(ts, "script", None) or not tests or ts.bpmn_id in seen:
                continue
            seen.add(ts.bpmn_id)
            for test in tests:
                run_count += 1
                failure = _run_one(ts, test, scripts)
                if failure:
                    file, line = lines.get(ts.bpmn_id, (None, None))
                    findings.append(Finding(
                        f"unit test {test.get('id') or '?'!r} of {ts.bpmn_name or ts.bpmn_id} failed: {failure}",
                        element=ts.bpmn_id, file=file, line=line, kind="unit_test"))
    return findings, {"run": run_count, "failed": len(findings)}
