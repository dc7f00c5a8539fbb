"""A small valid bundle for deploy tests, and ways to break it; where test diagrams are kept."""
import json
from pathlib import Path
from xml.sax.saxutils import escape

FIXTURES = Path(__file__).parent / "fixtures"
PROCESSES = Path(__file__).parent.parent / "processes"
#: The reference process's letters: a bundle whose operations send letters needs their templates.
LETTERS = {f"letters/{p.name}": p.read_text(encoding="utf-8") for p in sorted((PROCESSES / "letters").glob("*.html"))}

# SCRIPT and OPERATION are placeholders that mini_bundle() fills in.
MINI_BPMN = (FIXTURES / "mini.bpmn").read_text(encoding="utf-8")
CHECK_FORM = '{"type": "object", "properties": {"ok": {"type": "boolean", "title": "OK"}}, "required": ["ok"]}'


def mini_bundle(*, script: str = "total = 1 + 1", operation: str = "register_case", bpmn: str | None = None,
                forms: dict | None = None, letters: dict | None = None) -> dict[str, str]:
    text = bpmn if bpmn is not None else MINI_BPMN.replace("SCRIPT", script).replace("OPERATION", operation)
    return {"mini.bpmn": text, **({"forms/check.json": CHECK_FORM} if forms is None else forms),
            **(LETTERS if letters is None else letters)}

TIMER_SCRIPT_BPMN = (FIXTURES / "timer_script.bpmn").read_text(encoding="utf-8")


APPLICATION_FORM = json.dumps({"type": "object", "required": [
    "applicant_name", "applicant_email", "property_designation", "measure"], "properties": {
    "applicant_name": {"type": "string"}, "applicant_email": {"type": "string"},
    "property_designation": {"type": "string"}, "measure": {"type": "string"}}})


def _with_start_form(bpmn: str, start_id: str) -> str:
    """Cases of the process start with a minimal application form (see ``tests.helpers.application``), by applicants."""
    form = ('<bpmn:extensionElements><spiffworkflow:formJsonSchemaFilename>application.json'
            '</spiffworkflow:formJsonSchemaFilename></bpmn:extensionElements>')
    start = f'<bpmn:startEvent id="{start_id}">'
    public = ('isExecutable="true"><bpmn:extensionElements><spiffworkflow:properties>'
              '<spiffworkflow:property name="public" value="true" /></spiffworkflow:properties>'
              '</bpmn:extensionElements>')  # applicants start it (the process says so)
    return bpmn.replace(start, start + form).replace('isExecutable="true">', public, 1)


def hostile_bundle(scripts: dict[str, str], timer_script: str) -> dict[str, str]:
    """Processes ``hostile_<name>`` (a check task, then ``scripts[name]``) and ``hostile_timer``
    (a 2-second timer, then ``timer_script``), each in its own file."""
    files = {"forms/check.json": CHECK_FORM, "forms/application.json": APPLICATION_FORM, **LETTERS}
    for name, script in scripts.items():
        bpmn = _with_start_form(MINI_BPMN, "start").replace("OPERATION", "register_case")
        files[f"hostile_{name}.bpmn"] = bpmn.replace("SCRIPT", escape(script)).replace('"mini"', f'"hostile_{name}"')
    bpmn = _with_start_form(TIMER_SCRIPT_BPMN, "timer_start").replace('"timer_script"', '"hostile_timer"')
    files["hostile_timer.bpmn"] = bpmn.replace("SCRIPT", escape(timer_script))
    return files

def process_files(model: str) -> dict[str, str]:
    """The files of processes/ that one process's version keeps (the studio's bundle of that model)."""
    from app.engine.specs import parse_bundle
    from app.services.processes import RULES, model_files, read_directory

    files = read_directory(FIXTURES.parent.parent / "processes")
    return model_files(parse_bundle(files, RULES), files, model)


GATE = FIXTURES / "gate"


def gate_bundle(name: str) -> dict[str, str]:
    """A diagram of tests/fixtures/gate with the decision form it uses."""
    return {f"{name}.bpmn": (GATE / f"{name}.bpmn").read_text(encoding="utf-8"),
            "forms/decide.json": (GATE / "decide.json").read_text(encoding="utf-8")}


def without_task(bpmn: str, task: str) -> str:
    """``bpmn`` after deleting ``task`` the way bpmn-js does: its one incoming flow now leads where its
    one outgoing flow led, the outgoing flow and the task's shapes are gone."""
    import re

    incoming = re.search(rf'<bpmn:sequenceFlow id="([^"]+)"[^>]*targetRef="{task}"', bpmn).group(1)
    outgoing = re.search(rf'<bpmn:sequenceFlow id="([^"]+)" sourceRef="{task}" targetRef="([^"]+)"', bpmn)
    flow_out, target = outgoing.group(1), outgoing.group(2)
    text = re.sub(rf'\s*<bpmn:userTask id="{task}".*?</bpmn:userTask>', "", bpmn, flags=re.S)
    text = re.sub(rf"\s*<bpmn:flowNodeRef>{task}</bpmn:flowNodeRef>", "", text)
    text = re.sub(rf'\s*<bpmn:sequenceFlow id="{flow_out}"[^>]*/>', "", text)
    text = text.replace(f"<bpmn:incoming>{flow_out}</bpmn:incoming>", f"<bpmn:incoming>{incoming}</bpmn:incoming>")
    text = re.sub(rf'(<bpmn:sequenceFlow id="{incoming}"[^>]*)targetRef="{task}"', rf'\1targetRef="{target}"', text)
    text = re.sub(rf'\s*<bpmndi:BPMNShape id="{task}_di".*?</bpmndi:BPMNShape>', "", text, flags=re.S)
    return re.sub(rf'\s*<bpmndi:BPMNEdge id="{flow_out}_di".*?</bpmndi:BPMNEdge>', "", text, flags=re.S)
