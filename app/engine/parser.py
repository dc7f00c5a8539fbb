"""Lotsen's BPMN parser: SpiffWorkflow's, with Lotsen's own task specs where it does more.

- business-rule tasks evaluate decision requirement graphs with FEEL cells
  and every hit policy (``dmn``);
- a service task with a ``topic`` is an external task, done by an integration
  worker (``external``);
- a call activity may map variables in and out (``call_activity``).

``SPEC_CONVERTERS`` are the serializer converters for those specs (see ``store``).
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import CallActivity, ServiceTask

from .call_activity import MappedCallActivity, MappedCallActivityConverter, MappedCallActivityParser
from .dmn import Decisions, Issue
from .dmn.task import DecisionTask, DecisionTaskConverter, DecisionTaskParser
from .external import ExternalTask, ExternalTaskConverter, ExternalTaskParser

SPEC_CONVERTERS = {DecisionTask: DecisionTaskConverter, ExternalTask: ExternalTaskConverter,
                   MappedCallActivity: MappedCallActivityConverter}


class LotsenParser(SpiffBpmnParser):
    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("businessRuleTask"): (DecisionTaskParser, DecisionTask),
        full_tag("serviceTask"): (ExternalTaskParser, ServiceTask),
        full_tag("callActivity"): (MappedCallActivityParser, CallActivity),
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
