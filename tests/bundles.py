"""A small valid bundle for deploy tests, and ways to break it; where test diagrams are kept."""
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"

# SCRIPT and OPERATION are placeholders that mini_bundle() fills in.
MINI_BPMN = (FIXTURES / "mini.bpmn").read_text(encoding="utf-8")
CHECK_FORM = '{"type": "object", "properties": {"ok": {"type": "boolean", "title": "OK"}}, "required": ["ok"]}'


def mini_bundle(*, script: str = "total = 1 + 1", operation: str = "register_case", bpmn: str | None = None,
                forms: dict | None = None) -> dict[str, str]:
    text = bpmn if bpmn is not None else MINI_BPMN.replace("SCRIPT", script).replace("OPERATION", operation)
    return {"mini.bpmn": text, **({"forms/check.json": CHECK_FORM} if forms is None else forms)}
