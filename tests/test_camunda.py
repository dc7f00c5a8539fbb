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
    assert refusal.extensions == {"formJsonSchemaFilename": "refusal.json", "properties": {"group": "officer"}}
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
    granted = api.as_("applicant").post("/api/cases", {"process": "sign_permit", "data": application()})
    refused = api.as_("applicant").post("/api/cases", {"process": "sign_permit", "data": application()})
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


def test_java_engine_features_are_refused_each_with_what_to_do_instead():
    found = {(p.element, p.message) for p in problems({"demolition.bpmn": JAVA_DELEGATES})}
    by_element: dict[str, list[str]] = {}
    for element, message in found:
        by_element.setdefault(element, []).append(message)
    assert set(by_element) == {"assess", "notify_neighbours", "archive", "Flow_5", "send_invoice", "log_free"}
    [notify] = by_element["notify_neighbours"]
    assert notify.startswith("camunda:class (se.kommun.bygg.NotifyNeighboursDelegate) cannot run in Lotsen; use a "
                             "Lotsen service operation instead: spiffworkflow:serviceTaskOperator with one of ")
    assert "register_case" in notify and "notify_neighbours" in notify
    [archive] = by_element["archive"]
    assert 'external tasks (camunda:type="external", topic \'archive\') are not supported' in archive
    [invoice] = by_element["send_invoice"]
    assert invoice.startswith("camunda:delegateExpression (${invoiceDelegate}) cannot run in Lotsen")
    [condition] = by_element["Flow_5"]
    assert "condition '${feeService.isPayable(execution)}' cannot be translated: it calls a method " \
           "(feeService.isPayable(…))" in condition
    [script] = by_element["log_free"]
    assert "scripts in 'groovy' cannot run" in script
    [form] = by_element["assess"]
    assert "form key 'camunda-forms:deployment:assess.form' is not a JSON-Schema form file" in form
    assert all(p.file == "demolition.bpmn" and p.line for p in problems({"demolition.bpmn": JAVA_DELEGATES}))


def test_a_user_task_with_neither_lane_nor_candidate_group_is_refused():
    text = SIGN_PERMIT.replace(' camunda:candidateGroups="Officer"', ' camunda:assignee="${initiator}"')
    [p] = problems(sign_bundle(text))
    assert p.element == "review_refusal" and p.file == "sign.bpmn" and p.line
    assert p.message.startswith("user task is not in a lane and names no group, so no group can work it")
    assert "camunda:candidateGroups" in p.message


@pytest.mark.parametrize("groups, message", [
    ("janitor", "group 'janitor' is not a known group"),
    ("officer, coordinator", "Lotsen offers each task to exactly one group"),
    ("${reviewers}", "must name one group, not an expression"),
])
def test_candidate_groups_must_name_one_known_group(groups, message):
    [p] = problems(sign_bundle(SIGN_PERMIT.replace('camunda:candidateGroups="Officer"',
                                                   f'camunda:candidateGroups="{groups}"')))
    assert p.element == "review_refusal" and message in p.message


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


def test_zeebe_job_workers_are_refused():
    text = ZEEBE.replace('<bpmn:businessRuleTask id="compute_fee" name="Compute fee">\n      <bpmn:extensionElements>'
                         '<zeebe:calledDecision decisionId="sign_fee" /></bpmn:extensionElements>',
                         '<bpmn:serviceTask id="compute_fee" name="Compute fee">\n      <bpmn:extensionElements>'
                         '<zeebe:taskDefinition type="fee-worker" /></bpmn:extensionElements>') \
        .replace("</bpmn:businessRuleTask>", "</bpmn:serviceTask>")
    [p] = problems({"sign.bpmn": text, "forms/check_sign.json": CHECK_SIGN_FORM})
    assert p.element == "compute_fee"
    assert p.message.startswith("zeebe:taskDefinition (type 'fee-worker') needs a Camunda 8 job worker; use a Lotsen "
                                "service operation instead")


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
