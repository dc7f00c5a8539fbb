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
from tests.helpers import Api, application

APPLICATION_FORM = (PROJECT_ROOT / "processes" / "forms" / "application.json").read_text()
REFUSAL_FORM = json.dumps({"type": "object", "additionalProperties": False, "required": ["reason"],
                           "properties": {"reason": {"type": "string", "title": "Reason"}}})

# A Camunda 7 export (Camunda Modeler 5.20): no lanes; candidate groups, a generated form
# (formData), a form key, a decision and JUEL conditions.
SIGN_PERMIT = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_0fr9mxs" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.20.0" modeler:executionPlatform="Camunda Platform" modeler:executionPlatformVersion="7.20.0">
  <bpmn:process id="sign_permit" name="Sign permit" isExecutable="true" camunda:historyTimeToLive="180">
    <bpmn:startEvent id="StartEvent_1" name="Application received" camunda:formKey="embedded:app:forms/application.json">
      <bpmn:outgoing>Flow_0q1x2ab</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="check_sign" name="Check sign" camunda:candidateGroups="coordinator">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="approved" label="Approve the sign?" type="boolean" defaultValue="false">
            <camunda:validation>
              <camunda:constraint name="required" />
            </camunda:validation>
          </camunda:formField>
          <camunda:formField id="size_class" label="Size class" type="enum" defaultValue="small">
            <camunda:value id="small" name="Small (under 2 m2)" />
            <camunda:value id="large" name="Large" />
            <camunda:validation>
              <camunda:constraint name="required" />
            </camunda:validation>
          </camunda:formField>
          <camunda:formField id="area" label="Area (m2)" type="long" defaultValue="1">
            <camunda:validation>
              <camunda:constraint name="required" />
              <camunda:constraint name="min" config="0" />
            </camunda:validation>
          </camunda:formField>
          <camunda:formField id="remark" label="Remark" type="string" />
          <camunda:formField id="site_visit" label="Site visit" type="date" />
        </camunda:formData>
        <camunda:properties>
          <camunda:property name="status" value="in_triage" />
        </camunda:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_0q1x2ab</bpmn:incoming>
      <bpmn:outgoing>Flow_1b7n3cd</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="Gateway_1k2m3no" name="Approved?">
      <bpmn:incoming>Flow_1b7n3cd</bpmn:incoming>
      <bpmn:outgoing>Flow_yes</bpmn:outgoing>
      <bpmn:outgoing>Flow_no</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="Flow_yes" name="yes" sourceRef="Gateway_1k2m3no" targetRef="compute_fee">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${approved &amp;&amp; area &gt;= 0}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_no" name="no" sourceRef="Gateway_1k2m3no" targetRef="review_refusal">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${!approved}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:businessRuleTask id="compute_fee" name="Compute fee" camunda:decisionRef="sign_fee">
      <bpmn:incoming>Flow_yes</bpmn:incoming>
      <bpmn:outgoing>Flow_2c8p4qr</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:userTask id="review_refusal" name="Review refusal" camunda:formKey="refusal.json" camunda:candidateGroups="Officer">
      <bpmn:incoming>Flow_no</bpmn:incoming>
      <bpmn:outgoing>Flow_3d9r5st</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="Event_granted" name="Granted">
      <bpmn:incoming>Flow_2c8p4qr</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:endEvent id="Event_refused" name="Refused">
      <bpmn:incoming>Flow_3d9r5st</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_0q1x2ab" sourceRef="StartEvent_1" targetRef="check_sign" />
    <bpmn:sequenceFlow id="Flow_1b7n3cd" sourceRef="check_sign" targetRef="Gateway_1k2m3no" />
    <bpmn:sequenceFlow id="Flow_2c8p4qr" sourceRef="compute_fee" targetRef="Event_granted" />
    <bpmn:sequenceFlow id="Flow_3d9r5st" sourceRef="review_refusal" targetRef="Event_refused" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="sign_permit">
      <bpmndi:BPMNShape id="_BPMNShape_StartEvent_2" bpmnElement="StartEvent_1">
        <dc:Bounds x="152" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Activity_check_sign_di" bpmnElement="check_sign">
        <dc:Bounds x="240" y="80" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Gateway_1k2m3no_di" bpmnElement="Gateway_1k2m3no" isMarkerVisible="true">
        <dc:Bounds x="395" y="95" width="50" height="50" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Activity_compute_fee_di" bpmnElement="compute_fee">
        <dc:Bounds x="500" y="80" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Activity_review_refusal_di" bpmnElement="review_refusal">
        <dc:Bounds x="500" y="200" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Event_granted_di" bpmnElement="Event_granted">
        <dc:Bounds x="652" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Event_refused_di" bpmnElement="Event_refused">
        <dc:Bounds x="652" y="222" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_0q1x2ab_di" bpmnElement="Flow_0q1x2ab">
        <di:waypoint x="188" y="120" /><di:waypoint x="240" y="120" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_1b7n3cd_di" bpmnElement="Flow_1b7n3cd">
        <di:waypoint x="340" y="120" /><di:waypoint x="395" y="120" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_yes_di" bpmnElement="Flow_yes">
        <di:waypoint x="445" y="120" /><di:waypoint x="500" y="120" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_no_di" bpmnElement="Flow_no">
        <di:waypoint x="420" y="145" /><di:waypoint x="420" y="240" /><di:waypoint x="500" y="240" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_2c8p4qr_di" bpmnElement="Flow_2c8p4qr">
        <di:waypoint x="600" y="120" /><di:waypoint x="652" y="120" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_3d9r5st_di" bpmnElement="Flow_3d9r5st">
        <di:waypoint x="600" y="240" /><di:waypoint x="652" y="240" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""

SIGN_FEE_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_sign_fee" name="Sign fee" namespace="http://camunda.org/schema/1.0/dmn" exporter="Camunda Modeler" exporterVersion="5.20.0" modeler:executionPlatform="Camunda Platform" modeler:executionPlatformVersion="7.20.0">
  <decision id="sign_fee" name="Sign fee">
    <decisionTable id="DecisionTable_0xq1" hitPolicy="FIRST">
      <input id="Input_1" label="Size class">
        <inputExpression id="InputExpression_1" typeRef="string">
          <text>size_class</text>
        </inputExpression>
      </input>
      <output id="Output_1" label="Fee" name="fee" typeRef="integer" />
      <rule id="DecisionRule_small">
        <inputEntry id="UnaryTests_1"><text>"small"</text></inputEntry>
        <outputEntry id="LiteralExpression_1"><text>1200</text></outputEntry>
      </rule>
      <rule id="DecisionRule_large">
        <inputEntry id="UnaryTests_2"><text>"large"</text></inputEntry>
        <outputEntry id="LiteralExpression_2"><text>4800</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram id="DMNDiagram_1">
      <dmndi:DMNShape id="DMNShape_1" dmnElementRef="sign_fee">
        <dc:Bounds height="80" width="180" x="160" y="100" />
      </dmndi:DMNShape>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
"""


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
JAVA_DELEGATES = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_1m2n3o4" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.20.0" modeler:executionPlatform="Camunda Platform" modeler:executionPlatformVersion="7.20.0">
  <bpmn:process id="demolition" name="Demolition" isExecutable="true" camunda:historyTimeToLive="180">
    <bpmn:startEvent id="StartEvent_1">
      <bpmn:outgoing>Flow_1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="assess" name="Assess" camunda:assignee="demo" camunda:formKey="camunda-forms:deployment:assess.form">
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:serviceTask id="notify_neighbours" name="Notify neighbours" camunda:class="se.kommun.bygg.NotifyNeighboursDelegate">
      <bpmn:incoming>Flow_2</bpmn:incoming>
      <bpmn:outgoing>Flow_3</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:serviceTask id="archive" name="Archive" camunda:type="external" camunda:topic="archive">
      <bpmn:incoming>Flow_3</bpmn:incoming>
      <bpmn:outgoing>Flow_4</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:exclusiveGateway id="Gateway_0abc123" name="Invoice?" default="Flow_6">
      <bpmn:incoming>Flow_4</bpmn:incoming>
      <bpmn:outgoing>Flow_5</bpmn:outgoing>
      <bpmn:outgoing>Flow_6</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="Flow_5" sourceRef="Gateway_0abc123" targetRef="send_invoice">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${feeService.isPayable(execution)}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:serviceTask id="send_invoice" name="Send invoice" camunda:delegateExpression="${invoiceDelegate}">
      <bpmn:incoming>Flow_5</bpmn:incoming>
      <bpmn:outgoing>Flow_7</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:scriptTask id="log_free" name="Log free case" scriptFormat="groovy">
      <bpmn:incoming>Flow_6</bpmn:incoming>
      <bpmn:outgoing>Flow_8</bpmn:outgoing>
      <bpmn:script>println "free"</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="Event_1"><bpmn:incoming>Flow_7</bpmn:incoming><bpmn:incoming>Flow_8</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="assess" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="assess" targetRef="notify_neighbours" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="notify_neighbours" targetRef="archive" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="archive" targetRef="Gateway_0abc123" />
    <bpmn:sequenceFlow id="Flow_6" sourceRef="Gateway_0abc123" targetRef="log_free" />
    <bpmn:sequenceFlow id="Flow_7" sourceRef="send_invoice" targetRef="Event_1" />
    <bpmn:sequenceFlow id="Flow_8" sourceRef="log_free" targetRef="Event_1" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="demolition">
      <bpmndi:BPMNShape id="_BPMNShape_StartEvent_2" bpmnElement="StartEvent_1"><dc:Bounds x="152" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Activity_assess_di" bpmnElement="assess"><dc:Bounds x="240" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Activity_notify_di" bpmnElement="notify_neighbours"><dc:Bounds x="390" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Activity_archive_di" bpmnElement="archive"><dc:Bounds x="540" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Gateway_0abc123_di" bpmnElement="Gateway_0abc123" isMarkerVisible="true"><dc:Bounds x="695" y="95" width="50" height="50" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Activity_invoice_di" bpmnElement="send_invoice"><dc:Bounds x="800" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Activity_log_di" bpmnElement="log_free"><dc:Bounds x="800" y="200" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Event_1_di" bpmnElement="Event_1"><dc:Bounds x="952" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1"><di:waypoint x="188" y="120" /><di:waypoint x="240" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_2_di" bpmnElement="Flow_2"><di:waypoint x="340" y="120" /><di:waypoint x="390" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_3_di" bpmnElement="Flow_3"><di:waypoint x="490" y="120" /><di:waypoint x="540" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_4_di" bpmnElement="Flow_4"><di:waypoint x="640" y="120" /><di:waypoint x="695" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_5_di" bpmnElement="Flow_5"><di:waypoint x="745" y="120" /><di:waypoint x="800" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_6_di" bpmnElement="Flow_6"><di:waypoint x="720" y="145" /><di:waypoint x="720" y="240" /><di:waypoint x="800" y="240" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_7_di" bpmnElement="Flow_7"><di:waypoint x="900" y="120" /><di:waypoint x="952" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_8_di" bpmnElement="Flow_8"><di:waypoint x="900" y="240" /><di:waypoint x="970" y="240" /><di:waypoint x="970" y="138" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


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
ZEEBE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_0z8y7x6" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.20.0" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.4.0">
  <bpmn:process id="sign_permit_c8" name="Sign permit" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_a</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="check_sign" name="Check sign">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="coordinator" />
        <zeebe:formDefinition formKey="check_sign.json" />
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_a</bpmn:incoming>
      <bpmn:outgoing>Flow_b</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="Gateway_1" name="Approved?"><bpmn:incoming>Flow_b</bpmn:incoming><bpmn:outgoing>Flow_yes</bpmn:outgoing><bpmn:outgoing>Flow_no</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="Flow_yes" sourceRef="Gateway_1" targetRef="compute_fee">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">= approved and size_class = "large"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_no" sourceRef="Gateway_1" targetRef="Event_done">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">= not(approved and size_class = "large")</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:businessRuleTask id="compute_fee" name="Compute fee">
      <bpmn:extensionElements><zeebe:calledDecision decisionId="sign_fee" /></bpmn:extensionElements>
      <bpmn:incoming>Flow_yes</bpmn:incoming><bpmn:outgoing>Flow_c</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="Event_done"><bpmn:incoming>Flow_no</bpmn:incoming><bpmn:incoming>Flow_c</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_a" sourceRef="StartEvent_1" targetRef="check_sign" />
    <bpmn:sequenceFlow id="Flow_b" sourceRef="check_sign" targetRef="Gateway_1" />
    <bpmn:sequenceFlow id="Flow_c" sourceRef="compute_fee" targetRef="Event_done" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="sign_permit_c8">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1"><dc:Bounds x="152" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="check_sign_di" bpmnElement="check_sign"><dc:Bounds x="240" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Gateway_1_di" bpmnElement="Gateway_1" isMarkerVisible="true"><dc:Bounds x="395" y="95" width="50" height="50" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="compute_fee_di" bpmnElement="compute_fee"><dc:Bounds x="500" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Event_done_di" bpmnElement="Event_done"><dc:Bounds x="652" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_a_di" bpmnElement="Flow_a"><di:waypoint x="188" y="120" /><di:waypoint x="240" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_b_di" bpmnElement="Flow_b"><di:waypoint x="340" y="120" /><di:waypoint x="395" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_yes_di" bpmnElement="Flow_yes"><di:waypoint x="445" y="120" /><di:waypoint x="500" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_no_di" bpmnElement="Flow_no"><di:waypoint x="420" y="145" /><di:waypoint x="420" y="200" /><di:waypoint x="670" y="200" /><di:waypoint x="670" y="138" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_c_di" bpmnElement="Flow_c"><di:waypoint x="600" y="120" /><di:waypoint x="652" y="120" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
CHECK_SIGN_FORM = json.dumps({
    "type": "object", "additionalProperties": False, "required": ["approved", "size_class"],
    "properties": {"approved": {"type": "boolean", "title": "Approve"},
                   "size_class": {"type": "string", "title": "Size", "oneOf": [{"const": "small"}, {"const": "large"}]}}})


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
        assert (ready.element_id, ready.lane, ready.form) == ("check_sign", "coordinator", "check_sign.json")
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
