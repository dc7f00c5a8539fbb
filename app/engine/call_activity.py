"""Call activities that pass chosen variables in and out (Camunda's ``camunda:in`` / ``camunda:out``).

Without mappings a called process gets all of the caller's case data and
returns all of its own (SpiffWorkflow's way). When the call activity has any
``camunda:in`` or ``camunda:out``, it follows Camunda: the called process starts
with the ``in`` variables only, and only the ``out`` variables come back
(``variables="all"`` passes everything one way). A ``sourceExpression`` is a
simple JUEL/FEEL expression, evaluated in the sandbox.
"""
from __future__ import annotations

from copy import deepcopy

from SpiffWorkflow.bpmn.parser.task_parsers import SubprocessParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.task_spec import CallActivityParser
from SpiffWorkflow.spiff.serializer.task_spec import SubWorkflowTaskConverter
from SpiffWorkflow.spiff.specs.defaults import CallActivity

from .camunda_xml import NS
from .expressions import Untranslatable, translate_expression


class MappedCallActivity(CallActivity):
    """A call activity with ``in_mappings``/``out_mappings``: [{"all": True} | {"source"|"expression", "target"}]."""

    def __init__(self, wf_spec, bpmn_id, subworkflow_spec, in_mappings=None, out_mappings=None, **kwargs):
        super().__init__(wf_spec, bpmn_id, subworkflow_spec, **kwargs)
        self.in_mappings = in_mappings
        self.out_mappings = out_mappings

    @staticmethod
    def _mapped(my_task, mappings: list[dict], data: dict) -> dict:
        environment = my_task.workflow.script_engine.environment
        out: dict = {}
        for mapping in mappings:
            if mapping.get("all"):
                out.update(deepcopy(data))
            elif mapping.get("expression"):
                out[mapping["target"]] = environment.evaluate(mapping["expression"], data)
            else:
                out[mapping["target"]] = deepcopy(data.get(mapping["source"]))
        return out

    def copy_data(self, my_task, subworkflow):
        if self.in_mappings is None:
            return super().copy_data(my_task, subworkflow)
        start = subworkflow.get_next_task(subworkflow.task_tree, skip_subprocesses=True, spec_name="Start")
        start.set_data(**self._mapped(my_task, self.in_mappings, dict(my_task.data)))

    def update_data(self, my_task, subworkflow):
        if self.out_mappings is None:
            return super().update_data(my_task, subworkflow)
        returned = self._mapped(my_task, self.out_mappings, dict(subworkflow.last_task.data))
        my_task.data.update(returned)


def _mapping(node, filename) -> dict:
    if node.get("variables") == "all":
        return {"all": True}
    if node.get("sourceExpression"):
        try:
            return {"expression": translate_expression(node.get("sourceExpression")), "target": node.get("target")}
        except Untranslatable as exc:
            raise ValidationException(f"sourceExpression {node.get('sourceExpression')!r} cannot be translated: "
                                      f"{exc}", node=node.getparent().getparent(), file_name=filename) from None
    return {"source": node.get("source"), "target": node.get("target")}


class MappedCallActivityParser(CallActivityParser):
    def create_task(self):
        ext = self.node.find("bpmn:extensionElements", NS)
        nodes = {kind: [n for n in (ext.findall(f"camunda:{kind}", NS) if ext is not None else [])
                        if n.get("businessKey") is None] for kind in ("in", "out")}
        if not nodes["in"] and not nodes["out"]:
            return super().create_task()
        extensions = self.parse_extensions()
        return MappedCallActivity(
            self.spec, self.bpmn_id, SubprocessParser.get_call_activity_spec(self),
            in_mappings=[_mapping(n, self.filename) for n in nodes["in"]],
            out_mappings=[_mapping(n, self.filename) for n in nodes["out"]],
            prescript=extensions.get("preScript"), postscript=extensions.get("postScript"), **self.bpmn_attributes)


class MappedCallActivityConverter(SubWorkflowTaskConverter):
    def to_dict(self, spec):
        dct = super().to_dict(spec)
        dct.update(in_mappings=spec.in_mappings, out_mappings=spec.out_mappings)
        return dct
