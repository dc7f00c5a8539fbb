"""Lotsen's BPMN parser: SpiffWorkflow's, with Lotsen's own task specs where it does more.

- business-rule tasks evaluate decision requirement graphs with FEEL cells
  and every hit policy (``dmn``);

``SPEC_CONVERTERS`` are the serializer converters for those specs (see ``store``).
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS
from SpiffWorkflow.spiff.parser import SpiffBpmnParser

from .dmn import Decisions, Issue
from .dmn.task import DecisionTask, DecisionTaskConverter, DecisionTaskParser

SPEC_CONVERTERS = {DecisionTask: DecisionTaskConverter}


class LotsenParser(SpiffBpmnParser):
    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("businessRuleTask"): (DecisionTaskParser, DecisionTask),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decisions = Decisions()

    def add_decisions(self, root, filename: str) -> list[Issue]:
        """Validate one DMN document against its XSD and read every decision in it."""
        namespace = root.nsmap.get(None) or root.nsmap.get("dmn")
        schema = DMN_SCHEMAS.get(namespace)
        if self.validator is not None and schema is not None:
            try:
                BpmnValidator(schema).validate(root, filename)
            except ValidationException as exc:
                return [Issue(filename, getattr(exc, "line_number", None) or None, None,
                              str(exc).split("\n")[0])]
        return self.decisions.add_file(filename, root)
