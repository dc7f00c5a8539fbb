"""Camunda service tasks, call-activity variable mappings and what is only informational.

- A Java delegate (``camunda:class``, ``camunda:delegateExpression`` naming a
  bean), an external task (``camunda:type="external"``) or a Zeebe job worker
  (``zeebe:taskDefinition``) becomes an *external task*: the service task gets
  the property ``topic`` and an integration worker does the work through
  ``/api/external-tasks`` (see ``external``).
- ``camunda:in``/``camunda:out`` on a call activity are read by the call
  activity itself (see ``call_activity``); here they are checked.
- ``camunda:async*``, ``camunda:exclusive`` and data stores change nothing in
  Lotsen: they are noted as warnings and data stores are taken out before parsing.
"""
from __future__ import annotations

import re

from lxml import etree

from .camunda_xml import BPMN_NS, NS, camunda_attr, get_property, local, set_property
from .expressions import Untranslatable, translate_expression

EXTERNAL_API = "/api/external-tasks"
_BEAN = re.compile(r"^[$#]\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}$")
_ASYNC = ("async", "asyncBefore", "asyncAfter", "exclusive")


class ServicesMixin:
    """The service-task, call-activity and informational part of the Camunda translator."""

    def implementation(self, el: etree._Element) -> None:
        """How a task's work is done outside the diagram: an external task, or refused."""
        ext = el.find("bpmn:extensionElements", NS)
        task_definition = ext.find("zeebe:taskDefinition", NS) if ext is not None else None
        topic, note = self.external_topic(el, task_definition)
        if topic is None:
            return
        if local(el) != "serviceTask":
            self.issue(el, f"only service tasks can be external tasks in Lotsen; make {el.get('id')!r} a service "
                           "task")
            return
        if ext is not None and ext.find("spiffworkflow:serviceTaskOperator", NS) is not None:
            return  # a Lotsen operation was set; it wins
        set_property(el, "topic", get_property(el, "topic") or topic)
        if task_definition is not None and task_definition.get("retries"):
            set_property(el, "retries", task_definition.get("retries"))
        if note:
            self.warn(el, f"{note} runs outside Lotsen: an integration worker fetches this step on topic "
                          f"{get_property(el, 'topic')!r} through {EXTERNAL_API} and completes it")

    def external_topic(self, el: etree._Element, task_definition) -> tuple[str | None, str | None]:
        """The topic a task's work is offered on, and what it was in Camunda (None: not external)."""
        if camunda_attr(el, "type") == "external":
            topic = camunda_attr(el, "topic")
            if not topic:
                self.issue(el, "an external task needs a topic (camunda:topic)")
            return topic, None
        if camunda_attr(el, "class"):
            return camunda_attr(el, "class"), f"the Java class {camunda_attr(el, 'class')}"
        delegate = camunda_attr(el, "delegateExpression")
        if delegate:
            bean = _BEAN.match(delegate.strip())
            if bean is None:
                self.issue(el, f"camunda:delegateExpression ({delegate}) must name one bean, e.g. ${{archiver}}, "
                               f"to become an external task; {self.use_operation()}")
                return None, None
            return bean[1], f"the delegate {delegate}"
        if camunda_attr(el, "expression"):
            self.issue(el, f"camunda:expression ({camunda_attr(el, 'expression')}) cannot run in Lotsen; "
                           f"{self.use_operation()}, or make it an external task (camunda:type=\"external\")")
        if task_definition is not None:
            return task_definition.get("type") or None, None
        return None, None

    def call_mappings(self, el: etree._Element, ext: etree._Element) -> None:
        """``camunda:in``/``camunda:out``: each names a source (or expression) and a target, or all variables."""
        for mapping in ext.findall("camunda:in", NS) + ext.findall("camunda:out", NS):
            if mapping.get("businessKey") is not None:
                self.warn(el, "camunda:in businessKey is ignored: a called process belongs to its case")
                continue
            if mapping.get("variables") == "all":
                continue
            expression = mapping.get("sourceExpression")
            if not mapping.get("target") or not (mapping.get("source") or expression):
                self.issue(el, f"camunda:{local(mapping)} needs source (or sourceExpression) and target, or "
                               "variables=\"all\"")
            elif expression:
                try:
                    translate_expression(expression)
                except Untranslatable as exc:
                    self.issue(el, f"camunda:{local(mapping)} sourceExpression {expression!r} cannot be translated: "
                                   f"{exc}")

    def informational(self, root: etree._Element) -> None:
        """Warn about what Lotsen does not need (async continuations, data stores); remove data stores."""
        for el in root.iter(f"{{{BPMN_NS}}}*"):
            flags = [a for a in _ASYNC if camunda_attr(el, a) == "true"]
            if flags:
                self.warn(el, f"camunda:{', camunda:'.join(flags)} is informational: Lotsen runs each step in the "
                              "transaction of the action that reaches it")
        stores = root.findall(".//bpmn:dataStore", NS) + root.findall(".//bpmn:dataStoreReference", NS)
        references = {el.get("id") for el in stores}
        for store in stores:
            self.warn(store, f"the data store {store.get('name') or store.get('id')!r} is informational: Lotsen "
                             "keeps case data with the case; read or write other systems with a service task")
            store.getparent().remove(store)
        for association in root.findall(".//bpmn:dataInputAssociation", NS) + \
                root.findall(".//bpmn:dataOutputAssociation", NS):
            ends = {(association.findtext("bpmn:sourceRef", namespaces=NS) or "").strip(),
                    (association.findtext("bpmn:targetRef", namespaces=NS) or "").strip()}
            if ends & references:
                association.getparent().remove(association)
