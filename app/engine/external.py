"""External tasks: service-task work an integration worker does outside Lotsen.

A service task with the property ``topic`` (and no Lotsen operation) stops in
the STARTED state when it runs: the host offers it on that topic through
``/api/external-tasks`` (modelled on Camunda's external-task REST API). When a
worker completes it, its variables join the case data and the case goes on.
Camunda's Java delegates, external tasks and Zeebe job workers become these
(see ``camunda_services``).
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.task_spec import ServiceTaskParser
from SpiffWorkflow.spiff.serializer.task_spec import SpiffBpmnTaskConverter
from SpiffWorkflow.spiff.specs.spiff_task import SpiffBpmnTask

TOPIC = "topic"
RETRIES = "retries"
DEFAULT_RETRIES = 3


class ExternalTask(SpiffBpmnTask):
    """A service task whose work a worker fetches by topic; it waits (STARTED) until completed."""

    def __init__(self, wf_spec, bpmn_id, topic: str, retries: int = DEFAULT_RETRIES, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.topic = topic
        #: How often a worker may report a failure before the task becomes an incident.
        self.retries = retries

    def _run_hook(self, my_task):
        return None  # STARTED: the host offers the task to workers


class ExternalTaskParser(ServiceTaskParser):
    """A service task with a ``topic`` property is an external task; otherwise SpiffWorkflow's service task."""

    def create_task(self):
        extensions = self.parse_extensions()
        properties = extensions.get("properties") or {}
        topic = (properties.get(TOPIC) or "").strip()
        if not topic or extensions.get("serviceTaskOperator") is not None:
            return super().create_task()
        try:
            retries = int(properties.get(RETRIES) or DEFAULT_RETRIES)
        except ValueError:
            raise ValidationException(f"retries {properties.get(RETRIES)!r} is not a whole number", node=self.node,
                                      file_name=self.filename) from None
        return ExternalTask(self.spec, self.bpmn_id, topic=topic, retries=retries,
                            prescript=extensions.get("preScript"), postscript=extensions.get("postScript"),
                            **self.bpmn_attributes)


def is_external(element) -> bool:
    """Whether a service-task XML element is an external task (a ``topic`` property and no operation)."""
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
          "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
    if element.find("bpmn:extensionElements/spiffworkflow:serviceTaskOperator", ns) is not None:
        return False
    return any(p.get("name") == TOPIC and (p.get("value") or "").strip() for p in element.findall(
        "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", ns))


class ExternalTaskConverter(SpiffBpmnTaskConverter):
    def to_dict(self, spec):
        dct = super().to_dict(spec)
        dct.update(topic=spec.topic, retries=spec.retries)
        return dct


__all__ = ["ExternalTask", "ExternalTaskConverter", "ExternalTaskParser", "is_external"]
