"""Camunda Modeler exports: what translates (groups, forms, decisions, conditions) and what is refused."""
from __future__ import annotations

import io
import json

import pytest

from app.config import PROJECT_ROOT
from app.engine import camunda
from app.engine.camunda import Untranslatable, translate_expression
from app.engine.specs import BundleInvalid, parse_bundle
from app.services.processes import RULES
from tests.bundles import FIXTURES
from tests.helpers import Api, application

APPLICATION_FORM = (PROJECT_ROOT / "processes" / "forms" / "application.json").read_text()
REFUSAL_FORM = json.dumps({"type": "object", "additionalProperties": False, "required": ["reason"],
                           "properties": {"reason": {"type": "string", "title": "Reason"}}})

# A Camunda 7 export (Camunda Modeler 5.20): no lanes; candidate groups, a generated form
# (formData), a form key, a decision and JUEL conditions.
SIGN_PERMIT = (FIXTURES / "camunda" / "sign_permit.bpmn").read_text(encoding="utf-8")

SIGN_FEE_DMN = (FIXTURES / "camunda" / "sign_fee.dmn").read_text(encoding="utf-8")


def sign_bundle(bpmn: str = SIGN_PERMIT) -> dict[str, str]:
    return {"sign.bpmn": bpmn, "sign_fee.dmn": SIGN_FEE_DMN, "forms/application.json": APPLICATION_FORM,
            "forms/refusal.json": REFUSAL_FORM}


def problems(files: dict[str, str]) -> list:
    with pytest.raises(BundleInvalid) as err:
        parse_bundle(files, RULES)
    return err.value.problems


@pytest.mark.parametrize("source, python", [
    ("${approved}", "approved"),
    ("${!approved}", "not approved"),
    ("${not approved}", "not approved"),
    ("${amount > 1000}", "amount > 1000"),
    ("#{amount gt 1000}", "amount > 1000"),
    ("${approved && amount <= 1000}", "approved and amount <= 1000"),
    ("${a and b or c}", "a and b or c"),
    ("${a || b}", "a or b"),
    ("${decision == 'granted'}", "decision == 'granted'"),
    ('${decision eq "granted"}', "decision == 'granted'"),
    ("${decision ne 'refused'}", "decision != 'refused'"),
    ("${!(a && b)}", "not (a and b)"),
    ("${order.total >= 10}", "order['total'] >= 10"),
    ("${empty remarks}", "not remarks"),
    ("${extended == true}", "extended == True"),
    ("= approved", "approved"),
    ("= amount > 1000", "amount > 1000"),
    ('= decision = "granted"', "decision == 'granted'"),
    ("= not(approved)", "not approved"),
    ("= approved and amount != null", "approved and amount != None"),
])
def test_simple_juel_and_feel_become_python(source, python):
    assert translate_expression(source) == python


@pytest.mark.parametrize("source, reason", [
    ("${bean.check(x)}", "it calls a method (bean.check(…))"),
    ("${approvalService.isApproved()}", "calls a method"),
    ("${execution.getVariable('approved')}", "'execution' is Camunda's runtime object"),
    ("${amount > 1000 ? 'big' : 'small'}", "conditional operator"),
    ("${x} and ${y}", "it mixes several expressions"),
    ("approved", "neither a JUEL"),
    ("= count(items) > 2", "calls a function"),
    ("${__class__}", "cannot be used as a variable name"),
])
def test_complex_expressions_are_not_translated(source, reason):
    with pytest.raises(Untranslatable) as err:
        translate_expression(source)
    assert reason in str(err.value)


def test_camunda_export_parses_with_groups_forms_and_decision():
    bundle = parse_bundle(sign_bundle(), RULES)
    spec, _ = bundle.specs["sign_permit"]
    check, refusal = spec.task_specs["check_sign"], spec.task_specs["review_refusal"]
    assert check.extensions["properties"] == {"group": "coordinator", "status": "in_triage"}
    assert check.extensions["formJsonSchemaFilename"] == "check_sign.json"
    assert refusal.extensions == {"formJsonSchemaFilename": "refusal.json", "properties": {"group": "Officer"}}
    assert spec.task_specs["StartEvent_1"].extensions["formJsonSchemaFilename"] == "application.json"
    conditions = sorted(c.args[0] for c, _ in spec.task_specs["Gateway_1k2m3no"].cond_task_specs)
    assert conditions == ["approved and area >= 0", "not approved"]
    form = json.loads(bundle.generated["forms/check_sign.json"])
    assert form["required"] == ["approved", "size_class", "area"] and form["additionalProperties"] is False
    assert form["properties"]["approved"] == {"title": "Approve the sign?", "type": "boolean", "default": False}
    assert form["properties"]["size_class"]["oneOf"] == [{"const": "small", "title": "Small (under 2 m2)"},
                                                         {"const": "large", "title": "Large"}]
    assert form["properties"]["area"] == {"title": "Area (m2)", "type": "integer", "default": 1, "minimum": 0}
    assert form["properties"]["site_visit"] == {"title": "Site visit", "type": "string", "format": "date"}


def test_a_case_runs_through_a_camunda_export(client, actors, rt):
    files = {"files": [(io.BytesIO(text.encode()), name.removeprefix("forms/"))
                       for name, text in sign_bundle().items()], "message": "from Camunda Modeler"}
    r = client.post("/api/process-models", data=files, headers=actors.headers("process_owner"),
                    content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    version = client.get("/api/process-models/sign_permit/versions/1", headers=actors.headers("admin")).get_json()
    assert "forms/check_sign.json" in version["files"]
    api = Api(client, actors)
    # the export names no one who may start it: staff do
    assert api.as_("applicant").post("/api/cases", {"process": "sign_permit", "data": application()}).status_code == 403
    granted = api.as_("coordinator").post("/api/cases", {"process": "sign_permit", "data": application()})
    refused = api.as_("coordinator").post("/api/cases", {"process": "sign_permit", "data": application()})
    granted, refused = granted.get_json()["id"], refused.get_json()["id"]

    [task] = api.as_("coordinator").tasks("check_sign", granted)
    assert task["group"] == "coordinator" and task["title"] == "Check sign"
    assert task["form"]["schema"]["properties"]["size_class"]["default"] == "small"
    assert api.as_("officer").tasks("check_sign") == []
    api.as_("coordinator").complete("check_sign", {"approved": True, "size_class": "large", "area": 3}, granted)
    case = api.as_("coordinator").case(granted)
    assert case["completed_at"] is not None and case["open_tasks"] == []
    from app.models import Case

    with rt.db.unit_of_work(write=False) as s:
        assert s.get(Case, granted).facts["fee"] == 4800  # from the DMN (camunda:decisionRef)

    api.as_("coordinator").complete("check_sign", {"approved": False, "size_class": "small", "area": 1}, refused)
    [refusal] = api.as_("officer").tasks("review_refusal", refused)
    assert refusal["group"] == "officer"
    api.as_("officer").complete("review_refusal", {"reason": "Too large for the street."}, refused)
    assert api.as_("officer").case(refused)["completed_at"] is not None


# A Camunda 7 export that relies on the Java engine: delegates, an external task,
# a bean call in a condition, a Groovy script, a Camunda Forms key and a task for a person.
JAVA_DELEGATES = (FIXTURES / "camunda" / "demolition_java_delegates.bpmn").read_text(encoding="utf-8")


def test_java_engine_features_that_cannot_run_are_refused_each_with_what_to_do_instead():
    found = {(p.element, p.message) for p in problems({"demolition.bpmn": JAVA_DELEGATES})}
    by_element: dict[str, list[str]] = {}
    for element, message in found:
        by_element.setdefault(element, []).append(message)
    # the Java delegates and the external task become external tasks (see below); these cannot run:
    assert set(by_element) == {"assess", "Flow_5", "log_free"}
    [condition] = by_element["Flow_5"]
    assert "condition '${feeService.isPayable(execution)}' cannot be translated: it calls a method " \
           "(feeService.isPayable(…))" in condition
    [script] = by_element["log_free"]
    assert "scripts in 'groovy' cannot run" in script
    [form] = by_element["assess"]
    assert form == "form file forms/assess.form is missing; upload it beside the diagram"
    assert all(p.file == "demolition.bpmn" and p.line for p in problems({"demolition.bpmn": JAVA_DELEGATES}))


ASSESS_FORM = json.dumps({"id": "assess", "type": "default", "components": [
    {"type": "checkbox", "key": "demolish", "label": "Demolish?", "validate": {"required": True}}]})


def runnable_demolition() -> dict[str, str]:
    text = JAVA_DELEGATES.replace("${feeService.isPayable(execution)}", "${payable}").replace(
        'scriptFormat="groovy"', 'scriptFormat="python"').replace('println "free"', "free = True")
    return {"demolition.bpmn": text, "forms/assess.form": ASSESS_FORM}


def test_java_delegates_external_tasks_and_job_workers_become_external_tasks():
    from app.engine.external import ExternalTask

    bundle = parse_bundle(runnable_demolition(), RULES)
    spec, _ = bundle.specs["demolition"]
    topics = {name: ts.topic for name, ts in spec.task_specs.items() if isinstance(ts, ExternalTask)}
    assert topics == {"notify_neighbours": "se.kommun.bygg.NotifyNeighboursDelegate", "archive": "archive",
                      "send_invoice": "invoiceDelegate"}
    notes = {w.element: w.message for w in bundle.warnings}
    assert notes["notify_neighbours"] == (
        "the Java class se.kommun.bygg.NotifyNeighboursDelegate runs outside Lotsen: an integration worker fetches "
        "this step on topic 'se.kommun.bygg.NotifyNeighboursDelegate' through /api/external-tasks and completes it")
    assert notes["send_invoice"].startswith("the delegate ${invoiceDelegate} runs outside Lotsen")
    assert "archive" not in notes  # it was an external task in Camunda already
    assert spec.task_specs["assess"].extensions["properties"] == {"assignee": "demo"}
    assert json.loads(bundle.generated["forms/assess.form.json"])["properties"]["demolish"]["type"] == "boolean"


def test_a_process_owner_may_name_the_topic_of_a_java_delegate():
    text = runnable_demolition()
    text["demolition.bpmn"] = text["demolition.bpmn"].replace(
        'camunda:class="se.kommun.bygg.NotifyNeighboursDelegate">',
        'camunda:class="se.kommun.bygg.NotifyNeighboursDelegate"><bpmn:extensionElements><camunda:properties>'
        '<camunda:property name="topic" value="neighbour-letters" /></camunda:properties></bpmn:extensionElements>')
    spec, _ = parse_bundle(text, RULES).specs["demolition"]
    assert spec.task_specs["notify_neighbours"].topic == "neighbour-letters"


def test_a_user_task_with_neither_lane_nor_group_nor_assignee_is_refused():
    text = SIGN_PERMIT.replace(' camunda:candidateGroups="Officer"', "")
    [p] = problems(sign_bundle(text))
    assert p.element == "review_refusal" and p.file == "sign.bpmn" and p.line
    assert p.message.startswith("user task is not in a lane and names no group or assignee, so nobody can work it")
    assert "camunda:candidateGroups" in p.message and "camunda:assignee" in p.message
    assigned = SIGN_PERMIT.replace(' camunda:candidateGroups="Officer"', ' camunda:assignee="${reviewer}"')
    spec, _ = parse_bundle(sign_bundle(assigned), RULES).specs["sign_permit"]
    assert spec.task_specs["review_refusal"].extensions["properties"] == {"assignee_expression": "reviewer"}


@pytest.mark.parametrize("attributes, properties", [
    ('camunda:candidateGroups="officer, Coordinator"', {"group": "officer,Coordinator"}),
    ('camunda:candidateGroups="${reviewers}"', {"group_expression": "reviewers"}),
    ('camunda:candidateGroups="${approverGroups}" camunda:assignee="${approver}"',
     {"group_expression": "approverGroups", "assignee_expression": "approver"}),
    ('camunda:candidateGroups="officer" camunda:dueDate="${dateTime().plusWeeks(1).toDate()}"',
     {"group": "officer", "due_in": "P7D"}),
    ('camunda:candidateGroups="officer" camunda:dueDate="${dateTime().plusDays(2).plusHours(4).toDate()}"',
     {"group": "officer", "due_in": "P2DT4H"}),
    ('camunda:candidateGroups="officer" camunda:dueDate="2026-06-30"', {"group": "officer", "due_date": "2026-06-30"}),
    ('camunda:candidateGroups="officer" camunda:dueDate="${reply_by}"',
     {"group": "officer", "due_expression": "reply_by"}),
])
def test_candidate_groups_assignee_and_due_date_become_task_properties(attributes, properties):
    text = SIGN_PERMIT.replace('camunda:candidateGroups="Officer"', attributes)
    spec, _ = parse_bundle(sign_bundle(text), RULES).specs["sign_permit"]
    assert spec.task_specs["review_refusal"].extensions["properties"] == properties


@pytest.mark.parametrize("attributes, message", [
    ('camunda:candidateGroups="janitor"', "group 'janitor' is not a known group"),
    ('camunda:candidateGroups="officer" camunda:candidateUsers="olga"', "candidate users are not supported"),
    ('camunda:candidateGroups="${groupService.find(execution)}"', "candidate groups '${groupService.find("),
    ('camunda:candidateGroups="officer" camunda:dueDate="${dateTime().withDayOfMonth(1).toDate()}"',
     "due date '${dateTime().withDayOfMonth(1).toDate()}' cannot be translated"),
    ('camunda:candidateGroups="officer" camunda:dueDate="next week"', "is neither an ISO date nor an expression"),
])
def test_task_routing_that_cannot_work_is_refused(attributes, message):
    [p] = problems(sign_bundle(SIGN_PERMIT.replace('camunda:candidateGroups="Officer"', attributes)))
    assert p.element == "review_refusal" and message in p.message, p.message


def test_form_data_problems_name_the_field():
    text = SIGN_PERMIT.replace('type="date"', 'type="file"').replace(
        '<camunda:constraint name="min" config="0" />', '<camunda:constraint name="validator" config="x.Y" />')
    found = sorted(p.message for p in problems(sign_bundle(text)))
    assert found == ["form field 'area': validation 'validator' is not supported (Lotsen knows required, "
                     "readonly, minlength/maxlength, min/max)",
                     "form field 'site_visit' has type 'file'; Lotsen supports string, long, boolean, date, enum"]


# A Camunda 8 (Zeebe) export: candidate groups by assignment definition, FEEL conditions,
# a called decision and a form key naming a JSON-Schema file.
ZEEBE = (FIXTURES / "camunda" / "sign_permit_zeebe.bpmn").read_text(encoding="utf-8")
CHECK_SIGN_FORM = json.dumps({
    "type": "object", "additionalProperties": False, "required": ["approved", "size_class"],
    "properties": {"approved": {"type": "boolean", "title": "Approve"},
                   "size_class": {"type": "string", "title": "Size",
                                  "oneOf": [{"const": "small"}, {"const": "large"}]}}})


def test_a_camunda_8_export_runs_in_the_engine(rt):
    from app.engine.store import specs_to_json
    from app.services.env import get_env

    files = {"sign.bpmn": ZEEBE, "sign_fee.dmn": SIGN_FEE_DMN, "forms/check_sign.json": CHECK_SIGN_FORM}
    spec, subprocesses = parse_bundle(files, RULES).specs["sign_permit_c8"]
    with rt.db.unit_of_work(write=False) as s:
        engine = get_env(s).engine
    engine.specs.put(9999, specs_to_json(spec, subprocesses))
    for approved, size, fee in [(True, "large", 4800), (True, "small", None), (False, "large", None)]:
        wf = engine.new(9999, {}, context_for=lambda task: None)
        events: list[dict] = []
        engine.run(wf, events)
        [ready] = engine.snapshot(wf, events).ready
        assert (ready.element_id, ready.group, ready.form) == ("check_sign", "coordinator", "check_sign.json")
        engine.complete_task(wf, ready.id, {"approved": approved, "size_class": size}, events)
        assert wf.is_completed() and engine.case_data(wf).get("fee") == fee
        engine.load(engine.dump(wf), context_for=lambda task: None)  # state survives a round trip


def test_a_zeebe_job_worker_becomes_an_external_task():
    from app.engine.external import ExternalTask

    text = ZEEBE.replace('<bpmn:businessRuleTask id="compute_fee" name="Compute fee">\n      <bpmn:extensionElements>'
                         '<zeebe:calledDecision decisionId="sign_fee" /></bpmn:extensionElements>',
                         '<bpmn:serviceTask id="compute_fee" name="Compute fee">\n      <bpmn:extensionElements>'
                         '<zeebe:taskDefinition type="fee-worker" retries="5" /></bpmn:extensionElements>') \
        .replace("</bpmn:businessRuleTask>", "</bpmn:serviceTask>")
    spec, _ = parse_bundle({"sign.bpmn": text, "forms/check_sign.json": CHECK_SIGN_FORM}, RULES).specs["sign_permit_c8"]
    task = spec.task_specs["compute_fee"]
    assert isinstance(task, ExternalTask) and (task.topic, task.retries) == ("fee-worker", 5)


def test_camunda_timer_literals_are_quoted_and_spiff_files_are_left_alone():
    from lxml import etree

    root = etree.fromstring(
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        b'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"><bpmn:process id="p" isExecutable="true">'
        b'<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="t1">'
        b'<bpmn:timeDuration>P14D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
        b'<bpmn:intermediateCatchEvent id="until"><bpmn:timerEventDefinition id="t2">'
        b'<bpmn:timeDate>${reply_by}</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
        b'</bpmn:process></bpmn:definitions>')
    assert camunda.applies(root)
    assert camunda.translate(root, []).issues == []
    assert [e.text for e in root.iter("{*}timeDuration", "{*}timeDate")] == ["'P14D'", "reply_by"]
    spiff = etree.fromstring((PROJECT_ROOT / "processes" / "building_permit.bpmn").read_bytes())
    assert not camunda.applies(spiff)
