"""Read diagrams exported from Camunda Modeler (Camunda 7 and 8).

``translate`` rewrites the Camunda extensions Lotsen can honour into their
SpiffWorkflow equivalents, in place, before the bundle is parsed:

- ``camunda:candidateGroups``, ``camunda:assignee`` and ``camunda:dueDate``
  (``zeebe:assignmentDefinition``, ``zeebe:taskSchedule``) on a user task become
  the routing properties (``group``, ``assignee``, ``due_in`` …; see ``routing``);
- ``camunda:formKey`` (``zeebe:formDefinition``) naming a ``.json`` file becomes
  ``spiffworkflow:formJsonSchemaFilename``; ``camunda:formData`` becomes a
  generated JSON-Schema form ``forms/<task id>.json``;
- ``camunda:decisionRef`` (``zeebe:calledDecision``) becomes
  ``spiffworkflow:calledDecisionId``, its ``resultVariable`` and
  ``mapDecisionResult`` the task's result properties; ``camunda:properties``
  become spiffworkflow properties;
- Java delegates, external tasks and Zeebe job workers become external tasks
  (property ``topic``); ``camunda:in``/``out`` are checked for the call activity;
- simple JUEL (``${amount > 1000}``) and FEEL (``= amount > 1000``) conditions and
  timer expressions become Lotsen's (Python) expression language.

What it cannot translate (listeners, connectors, method calls in expressions,
scripts in other languages …) is reported as an ``Issue`` naming the element and
what to do instead; what changes nothing in Lotsen (async continuations, data
stores) is a warning. Nothing here raises for bad content.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lxml import etree

from .camunda_forms import FormsMixin
from .camunda_people import PeopleMixin
from .camunda_services import ServicesMixin
from .camunda_xml import BPMN_NS, CAMUNDA_NS, NS, ZEEBE_NS, camunda_attr, local, set_property, spiff_child
from .dmn import task as dmn_task
from .expressions import Untranslatable, translate_expression
from .form_import import declared_types

__all__ = ["Issue", "Translation", "Untranslatable", "applies", "translate", "translate_expression"]

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
    #: What changes nothing in Lotsen, or runs differently there (informational).
    warnings: list[Issue] = field(default_factory=list)


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


class _Translator(FormsMixin, PeopleMixin, ServicesMixin):
    def __init__(self, operations: Iterable[str], form_files: Mapping[str, str]):
        self.operations = sorted(operations)
        self.result = Translation()
        self.form_files = dict(form_files)
        self.declared_types = declared_types({k: v for k, v in self.form_files.items()
                                              if k.endswith((".html", ".htm"))})

    def issue(self, el: etree._Element, message: str) -> None:
        self.result.issues.append(Issue(el.sourceline, el.get("id"), message))

    def warn(self, el: etree._Element, message: str) -> None:
        self.result.warnings.append(Issue(el.sourceline, el.get("id"), message))

    def use_operation(self) -> str:
        return ("use a Lotsen service operation instead: spiffworkflow:serviceTaskOperator with one of "
                + ", ".join(self.operations))

    def run(self, root: etree._Element) -> Translation:
        self.informational(root)
        for el in list(root.iter()):
            if not isinstance(el.tag, str) or etree.QName(el).namespace != BPMN_NS:
                continue
            self.implementation(el)
            kind = local(el)
            if kind in ("userTask", "startEvent"):
                self.form(el)
            if kind == "userTask":
                self.people(el)
            elif kind == "businessRuleTask":
                self.decision(el)
            elif kind == "scriptTask":
                self.script(el)
            elif kind in ("conditionExpression", "condition"):
                self.condition(el)
            elif kind in ("timeDuration", "timeDate", "timeCycle"):
                self.timer(el)
            elif kind == "multiInstanceLoopCharacteristics" and camunda_attr(el, "collection"):
                self.issue(el.getparent(), "camunda:collection is not supported; use loopDataInputRef and "
                                           "inputDataItem (see processes/README.md, multi-instance tasks)")
            self.extensions(el)
        return self.result

    def extensions(self, el: etree._Element) -> None:
        ext = el.find("bpmn:extensionElements", NS) if local(el) != "extensionElements" else None
        if ext is None:
            return
        for prop in ext.findall("camunda:properties/camunda:property", NS):
            if prop.get("name"):
                set_property(el, prop.get("name"), prop.get("value") or "")
        for name in ("executionListener", "taskListener"):
            for listener in ext.findall(f"camunda:{name}", NS):
                self.issue(el, f"camunda:{name} ({_listener_kind(listener)}) is not supported; do the work in a "
                               "script task or a service task")
        if ext.find("camunda:inputOutput", NS) is not None or ext.find("zeebe:ioMapping", NS) is not None:
            self.issue(el, "input/output mappings are not supported: Lotsen tasks read and write the case data "
                           "directly; compute values in a script task instead")
        self.call_mappings(el, ext)

    def decision(self, el: etree._Element) -> None:
        ref = camunda_attr(el, "decisionRef")
        called = el.find("bpmn:extensionElements/zeebe:calledDecision", NS)
        variable, mapping = camunda_attr(el, "resultVariable"), camunda_attr(el, "mapDecisionResult") or "resultList"
        if ref is None and called is not None:
            ref, variable, mapping = called.get("decisionId"), called.get("resultVariable"), "value"
        if variable:
            set_property(el, dmn_task.RESULT_VARIABLE, variable)
            set_property(el, dmn_task.RESULT_MAPPING, mapping)
        if ref:
            if "${" in ref or ref.startswith("="):
                self.issue(el, f"decision reference {ref!r} must be a decision id, not an expression")
            else:
                spiff_child(el, "calledDecisionId", ref)
        elif el.find("bpmn:extensionElements/spiffworkflow:calledDecisionId", NS) is None:
            self.issue(el, "the business rule task names no decision (set camunda:decisionRef to the id of a "
                           "decision in a .dmn file of the bundle)")

    def script(self, el: etree._Element) -> None:
        language = (el.get("scriptFormat") or "python").lower()
        if language not in ("python", "py", "text/x-python"):
            self.issue(el, f"scripts in {language!r} cannot run; Lotsen runs Python scripts "
                           "(set scriptFormat=\"python\" and rewrite the script)")
        if camunda_attr(el, "resource"):
            self.issue(el, "external script resources are not supported; put the script in the diagram")
        if camunda_attr(el, "resultVariable"):
            self.issue(el, "camunda:resultVariable is not supported on script tasks; assign the variable "
                           "in the script")

    def condition(self, el: etree._Element) -> None:
        language = el.get("language")
        if language and language.lower() not in ("python", "juel", "feel"):
            self.issue(el.getparent(), f"conditions in {language!r} are not supported; write a simple "
                                       "expression like ${amount > 1000}")
            return
        text = (el.text or "").strip()
        if camunda_attr(el, "resource"):
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


def _listener_kind(listener: etree._Element) -> str:
    """What a listener is, in a few words: its event and what it runs (``event "create", a javascript script``)."""
    script = listener.find("camunda:script", NS)
    if script is not None:
        runs = f"a {script.get('scriptFormat') or 'script'} script"
    else:
        runs = next((f"{a} {listener.get(a)}" for a in ("class", "expression", "delegateExpression")
                     if listener.get(a)), "no implementation")
    return f"event {listener.get('event')!r}, {runs}" if listener.get("event") else runs


def translate(root: etree._Element, operations: Iterable[str], form_files: Mapping[str, str] | None = None
              ) -> Translation:
    """Rewrite ``root`` (a parsed .bpmn document) in place; return generated forms, issues and warnings.

    ``form_files`` are the bundle's HTML and form-js forms ({"forms/x.html": text}) that form keys may name.
    """
    return _Translator(operations, form_files or {}).run(root)
