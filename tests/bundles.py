"""A small valid bundle for deploy tests, and ways to break it."""
MINI_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="defs_mini" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="collab_mini">
    <bpmn:participant id="pool_mini" processRef="mini" />
  </bpmn:collaboration>
  <bpmn:process id="mini" isExecutable="true">
    <bpmn:laneSet id="lanes_mini">
      <bpmn:lane id="lane_coordinator" name="Coordinator">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>check</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>compute</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>register</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>done</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="check" name="Check">
      <bpmn:extensionElements>
        <spiffworkflow:formJsonSchemaFilename>check.json</spiffworkflow:formJsonSchemaFilename>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:scriptTask id="compute" name="Compute">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>SCRIPT</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:serviceTask id="register" name="Register">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="OPERATION" resultVariable="registration"><spiffworkflow:parameters /></spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:endEvent id="done"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="compute" />
    <bpmn:sequenceFlow id="f3" sourceRef="compute" targetRef="register" />
    <bpmn:sequenceFlow id="f4" sourceRef="register" targetRef="done" />
  </bpmn:process>
</bpmn:definitions>
"""
CHECK_FORM = '{"type": "object", "properties": {"ok": {"type": "boolean", "title": "OK"}}, "required": ["ok"]}'


def mini_bundle(*, script: str = "total = 1 + 1", operation: str = "register_case", bpmn: str | None = None,
                forms: dict | None = None) -> dict[str, str]:
    text = bpmn if bpmn is not None else MINI_BPMN.replace("SCRIPT", script).replace("OPERATION", operation)
    return {"mini.bpmn": text, **({"forms/check.json": CHECK_FORM} if forms is None else forms)}
