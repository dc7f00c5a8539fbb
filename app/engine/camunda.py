"""Read diagrams exported from Camunda Modeler (Camunda 7 and 8).

``translate`` rewrites the Camunda extensions Lotsen can honour into their
SpiffWorkflow equivalents, in place, before the bundle is parsed:

- ``camunda:candidateGroups`` (``zeebe:assignmentDefinition``) on a user task
  becomes the spiffworkflow property ``group``: the group the task is offered to;
- ``camunda:formKey`` (``zeebe:formDefinition``) naming a ``.json`` file becomes
  ``spiffworkflow:formJsonSchemaFilename``; ``camunda:formData`` becomes a
  generated JSON-Schema form ``forms/<task id>.json``;
- ``camunda:decisionRef`` (``zeebe:calledDecision``) becomes
  ``spiffworkflow:calledDecisionId``; ``camunda:properties`` become
  spiffworkflow properties;
- simple JUEL (``${amount > 1000}``) and FEEL (``= amount > 1000``) conditions and
  timer expressions become Lotsen's (Python) expression language.

What it cannot translate (Java delegates, external tasks, listeners, method
calls in expressions …) is reported as an ``Issue`` naming the element and what
to do instead. Nothing here raises for bad content.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from .dmn import task as dmn_task
from .expressions import Untranslatable, translate_expression

__all__ = ["Issue", "Translation", "Untranslatable", "applies", "translate", "translate_expression"]

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS, "zeebe": ZEEBE_NS, "spiffworkflow": SPIFF_NS}

FORM_FIELD_TYPES = ("string", "long", "boolean", "date", "enum")
ISO_TIME = re.compile(r"^(R\d*/)?(P[0-9YMWDTHS.,]+|\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?)(/.*)?$")


@dataclass(frozen=True)
class Issue:
    line: int | None
    element: str | None
    message: str


@dataclass
class Translation:
    #: Generated files, e.g. {"forms/approve.json": "<JSON Schema>"}.
    forms: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)


def applies(root: etree._Element) -> bool:
    """Whether the document uses Camunda 7 or Camunda 8 (zeebe) extensions."""
    namespaces = {CAMUNDA_NS, ZEEBE_NS}
    if namespaces & set(root.nsmap.values()):
        return True
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if etree.QName(el).namespace in namespaces or any(
                etree.QName(a).namespace in namespaces for a in el.attrib):
            return True
    return False


# --------------------------------------------------------------------- translation


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _camunda(el: etree._Element, name: str) -> str | None:
    return el.get(f"{{{CAMUNDA_NS}}}{name}")


def _extension_elements(el: etree._Element) -> etree._Element:
    found = el.find("bpmn:extensionElements", NS)
    if found is not None:
        return found
    ext = etree.Element(f"{{{BPMN_NS}}}extensionElements")
    docs = [c for c in el if isinstance(c.tag, str) and _local(c) == "documentation"]
    el.insert(el.index(docs[-1]) + 1 if docs else 0, ext)
    return ext


def _spiff_child(el: etree._Element, name: str, text: str) -> None:
    ext = _extension_elements(el)
    existing = ext.find(f"spiffworkflow:{name}", NS)
    if existing is None:
        existing = etree.SubElement(ext, f"{{{SPIFF_NS}}}{name}", nsmap={"spiffworkflow": SPIFF_NS})
    existing.text = text


def _set_property(el: etree._Element, name: str, value: str) -> None:
    ext = _extension_elements(el)
    props = ext.find("spiffworkflow:properties", NS)
    if props is None:
        props = etree.SubElement(ext, f"{{{SPIFF_NS}}}properties", nsmap={"spiffworkflow": SPIFF_NS})
    for prop in props.findall("spiffworkflow:property", NS):
        if prop.get("name") == name:
            prop.set("value", value)
            return
    etree.SubElement(props, f"{{{SPIFF_NS}}}property", name=name, value=value)


class _Translator:
    def __init__(self, operations: Iterable[str]):
        self.operations = sorted(operations)
        self.result = Translation()

    def issue(self, el: etree._Element, message: str) -> None:
        self.result.issues.append(Issue(el.sourceline, el.get("id"), message))

    def use_operation(self) -> str:
        return ("use a Lotsen service operation instead: spiffworkflow:serviceTaskOperator with one of "
                + ", ".join(self.operations))

    def run(self, root: etree._Element) -> Translation:
        for el in list(root.iter()):
            if not isinstance(el.tag, str) or etree.QName(el).namespace != BPMN_NS:
                continue
            self.implementation(el)
            kind = _local(el)
            if kind in ("userTask", "startEvent"):
                self.form(el)
            if kind == "userTask":
                self.group(el)
            elif kind == "businessRuleTask":
                self.decision(el)
            elif kind == "scriptTask":
                self.script(el)
            elif kind in ("conditionExpression", "condition"):
                self.condition(el)
            elif kind in ("timeDuration", "timeDate", "timeCycle"):
                self.timer(el)
            elif kind == "multiInstanceLoopCharacteristics" and _camunda(el, "collection"):
                self.issue(el.getparent(), "camunda:collection is not supported; use loopDataInputRef and "
                                           "inputDataItem (see processes/README.md, multi-instance tasks)")
            self.extensions(el)
        return self.result

    def implementation(self, el: etree._Element) -> None:
        """Java delegates, expressions and external tasks have no Lotsen equivalent."""
        for attr in ("class", "delegateExpression", "expression"):
            if _camunda(el, attr):
                self.issue(el, f"camunda:{attr} ({_camunda(el, attr)}) cannot run in Lotsen; {self.use_operation()}")
        if _camunda(el, "type") == "external":
            self.issue(el, f"external tasks (camunda:type=\"external\", topic {_camunda(el, 'topic')!r}) "
                           f"are not supported; {self.use_operation()}")
        ext = el.find("bpmn:extensionElements", NS)
        if ext is None:
            return
        if ext.find("camunda:connector", NS) is not None:
            self.issue(el, f"Camunda connectors are not supported; {self.use_operation()}")
        task_definition = ext.find("zeebe:taskDefinition", NS)
        if task_definition is not None and ext.find("spiffworkflow:serviceTaskOperator", NS) is None:
            self.issue(el, f"zeebe:taskDefinition (type {task_definition.get('type')!r}) needs a Camunda 8 "
                           f"job worker; {self.use_operation()}")

    def extensions(self, el: etree._Element) -> None:
        ext = el.find("bpmn:extensionElements", NS) if _local(el) != "extensionElements" else None
        if ext is None:
            return
        for prop in ext.findall("camunda:properties/camunda:property", NS):
            if prop.get("name"):
                _set_property(el, prop.get("name"), prop.get("value") or "")
        for name in ("executionListener", "taskListener"):
            if ext.find(f"camunda:{name}", NS) is not None:
                self.issue(el, f"camunda:{name} is not supported; do the work in a script task or a service task")
        if ext.find("camunda:inputOutput", NS) is not None or ext.find("zeebe:ioMapping", NS) is not None:
            self.issue(el, "input/output mappings are not supported: Lotsen tasks read and write the case data "
                           "directly; compute values in a script task instead")
        for mapping in ext.findall("camunda:in", NS) + ext.findall("camunda:out", NS):
            if mapping.get("variables") != "all":
                self.issue(el, "call-activity variable mappings are not supported; the called process gets "
                               "and returns all case data (use camunda:in/out variables=\"all\" or remove them)")
                break

    def group(self, el: etree._Element) -> None:
        value = _camunda(el, "candidateGroups")
        assignment = el.find("bpmn:extensionElements/zeebe:assignmentDefinition", NS)
        if value is None and assignment is not None:
            value = assignment.get("candidateGroups")
        if value is None:
            return
        value = value.strip()
        if value.startswith("="):
            value = value[1:].strip().strip('"[]').strip('"')
        groups = [g.strip() for g in value.split(",") if g.strip()]
        if not groups:
            self.issue(el, "candidate groups are empty; name the one group that works this task")
        elif "${" in value or "#{" in value:
            self.issue(el, f"candidate groups {value!r} must name one group, not an expression")
        elif len(groups) > 1:
            self.issue(el, f"candidate groups {value!r}: Lotsen offers each task to exactly one group; "
                           "name one (or split the task)")
        else:
            _set_property(el, "group", groups[0].lower())

    def form(self, el: etree._Element) -> None:
        task_id = el.get("id")
        key = _camunda(el, "formKey")
        definition = el.find("bpmn:extensionElements/zeebe:formDefinition", NS)
        if key is None and definition is not None:
            key = definition.get("formKey")
        form_data = el.find("bpmn:extensionElements/camunda:formData", NS)
        if key:
            name = re.sub(r"^(embedded:)?(app:|deployment:)?", "", key.strip()).rsplit("/", 1)[-1]
            if not name.endswith(".json") or not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
                self.issue(el, f"form key {key!r} is not a JSON-Schema form file; give the name of a file in "
                               "forms/ (e.g. camunda:formKey=\"embedded:app:forms/approve.json\") or define "
                               "the fields with camunda:formData")
                return
            _spiff_child(el, "formJsonSchemaFilename", name)
        elif form_data is not None:
            schema = self.schema_from_fields(el, form_data)
            if schema is not None:
                self.result.forms[f"forms/{task_id}.json"] = json.dumps(schema, indent=2, ensure_ascii=False)
                _spiff_child(el, "formJsonSchemaFilename", f"{task_id}.json")

    def schema_from_fields(self, el: etree._Element, form_data: etree._Element) -> dict | None:
        properties, required, ok = {}, [], True
        for fld in form_data.findall("camunda:formField", NS):
            name, kind = fld.get("id"), (fld.get("type") or "string")
            if not name or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
                self.issue(el, f"form field id {name!r} must be a plain variable name")
                ok = False
                continue
            if kind not in FORM_FIELD_TYPES:
                self.issue(el, f"form field {name!r} has type {kind!r}; Lotsen supports {', '.join(FORM_FIELD_TYPES)}")
                ok = False
                continue
            prop = self.field_schema(el, fld, name, kind)
            if prop is None:
                ok = False
                continue
            for constraint in fld.findall("camunda:validation/camunda:constraint", NS):
                if not self.constrain(el, name, kind, prop, constraint, required):
                    ok = False
            properties[name] = prop
        if not ok:
            return None
        return {"$comment": f"generated from the camunda:formData of {el.get('id')}", "type": "object",
                "properties": properties, "required": required, "additionalProperties": False}

    def field_schema(self, el: etree._Element, fld: etree._Element, name: str, kind: str) -> dict | None:
        prop = self.field_type(el, fld, name, kind)
        if prop is None:
            return None
        default = fld.get("defaultValue")
        if default is None or default == "":
            return prop
        if default.strip().startswith(("${", "#{")):
            source = self.default_variable(el, name, default)
            if source is None:
                return None
            prop["x-default-from"] = source
            return prop
        try:
            prop["default"] = _typed_default(kind, default)
        except ValueError:
            self.issue(el, f"default of form field {name!r} ({default!r}) is not a valid {kind}")
            return None
        return prop

    def field_type(self, el: etree._Element, fld: etree._Element, name: str, kind: str) -> dict | None:
        """The field's title and JSON Schema type; for an enum, its values."""
        prop: dict = {"title": fld.get("label") or name}
        if kind == "string":
            prop["type"] = "string"
        elif kind == "long":
            prop["type"] = "integer"
        elif kind == "boolean":
            prop["type"] = "boolean"
        elif kind == "date":
            prop.update(type="string", format="date")
        else:
            values = fld.findall("camunda:value", NS)
            if not values:
                self.issue(el, f"enum form field {name!r} has no values")
                return None
            prop["type"] = "string"
            prop["oneOf"] = [{"const": v.get("id"), "title": v.get("name") or v.get("id")} for v in values]
        return prop

    def default_variable(self, el: etree._Element, name: str, default: str) -> str | None:
        """The one variable an expression default (``${...}``) names, or None after reporting why not."""
        try:
            source = translate_expression(default)
        except Untranslatable as exc:
            self.issue(el, f"default of form field {name!r} ({default}) cannot be translated: {exc}")
            return None
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", source):
            self.issue(el, f"default of form field {name!r} ({default}) must name one variable")
            return None
        return source

    def constrain(self, el, name, kind, prop, constraint, required) -> bool:
        what, config = constraint.get("name"), constraint.get("config")
        keys = {("string", "minlength"): "minLength", ("string", "maxlength"): "maxLength",
                ("long", "min"): "minimum", ("long", "max"): "maximum"}
        if what == "required":
            required.append(name)
        elif what == "readonly":
            prop["readOnly"] = True
        elif (kind, what) in keys and config is not None and re.fullmatch(r"-?\d+", config.strip()):
            prop[keys[(kind, what)]] = int(config)
        else:
            self.issue(el, f"form field {name!r}: validation {what!r} is not supported "
                           "(Lotsen knows required, readonly, minlength/maxlength, min/max)")
            return False
        return True

    def decision(self, el: etree._Element) -> None:
        ref = _camunda(el, "decisionRef")
        called = el.find("bpmn:extensionElements/zeebe:calledDecision", NS)
        variable, mapping = _camunda(el, "resultVariable"), _camunda(el, "mapDecisionResult") or "resultList"
        if ref is None and called is not None:
            ref, variable, mapping = called.get("decisionId"), called.get("resultVariable"), "value"
        if variable:
            _set_property(el, dmn_task.RESULT_VARIABLE, variable)
            _set_property(el, dmn_task.RESULT_MAPPING, mapping)
        if ref:
            if "${" in ref or ref.startswith("="):
                self.issue(el, f"decision reference {ref!r} must be a decision id, not an expression")
            else:
                _spiff_child(el, "calledDecisionId", ref)
        elif el.find("bpmn:extensionElements/spiffworkflow:calledDecisionId", NS) is None:
            self.issue(el, "the business rule task names no decision (set camunda:decisionRef to the id of a "
                           "decision in a .dmn file of the bundle)")

    def script(self, el: etree._Element) -> None:
        language = (el.get("scriptFormat") or "python").lower()
        if language not in ("python", "py", "text/x-python"):
            self.issue(el, f"scripts in {language!r} cannot run; Lotsen runs Python scripts "
                           "(set scriptFormat=\"python\" and rewrite the script)")
        if _camunda(el, "resource"):
            self.issue(el, "external script resources are not supported; put the script in the diagram")
        if _camunda(el, "resultVariable"):
            self.issue(el, "camunda:resultVariable is not supported on script tasks; assign the variable "
                           "in the script")

    def condition(self, el: etree._Element) -> None:
        language = el.get("language")
        if language and language.lower() not in ("python", "juel", "feel"):
            self.issue(el.getparent(), f"conditions in {language!r} are not supported; write a simple "
                                       "expression like ${amount > 1000}")
            return
        text = (el.text or "").strip()
        if _camunda(el, "resource"):
            self.issue(el.getparent(), "external condition resources are not supported")
        elif text.startswith(("${", "#{", "=")):
            self.replace_expression(el, el.getparent(), "condition")

    def timer(self, el: etree._Element) -> None:
        text = (el.text or "").strip()
        event = el.getparent().getparent() if el.getparent() is not None else el
        if text.startswith(("${", "#{", "=")):
            self.replace_expression(el, event, "timer expression")
        elif ISO_TIME.match(text):
            el.text = repr(text)

    def replace_expression(self, el: etree._Element, owner: etree._Element, what: str) -> None:
        try:
            el.text = translate_expression(el.text)
        except Untranslatable as exc:
            self.issue(owner, f"{what} {el.text.strip()!r} cannot be translated: {exc}. Write a simple "
                              "expression over case variables instead (e.g. ${approved}, ${amount > 1000}, "
                              "${decision == 'granted'}), or compute the value in a script task first")


def _typed_default(kind: str, value: str):
    if kind == "long":
        return int(value)
    if kind == "boolean":
        if value.lower() not in ("true", "false"):
            raise ValueError(value)
        return value.lower() == "true"
    if kind == "date":
        m = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", value.strip())
        if m:
            return f"{m[3]}-{m[2]}-{m[1]}"
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError(value)
    return value


def translate(root: etree._Element, operations: Iterable[str]) -> Translation:
    """Rewrite ``root`` (a parsed .bpmn document) in place; return generated forms and issues."""
    return _Translator(operations).run(root)
