"""The business-rule task: SpiffWorkflow task spec, parser and serializer converter.

The spec carries the decision it calls and every decision that one requires
(plain data, already translated to sandboxed Python), so a deployed version
keeps its decisions however the DMN files change later.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.task_spec import BusinessRuleTaskParser, SpiffTaskParser
from SpiffWorkflow.spiff.serializer.task_spec import SpiffBpmnTaskConverter
from SpiffWorkflow.spiff.specs.spiff_task import SpiffBpmnTask

from .evaluate import MAPPINGS, DecisionFailed, evaluate, map_result, multi_hit, variables
from .model import Decision

#: Properties of a business-rule task (Camunda's resultVariable and mapDecisionResult become these).
RESULT_VARIABLE = "decision_result_variable"
RESULT_MAPPING = "decision_result_mapping"


class DecisionFailedInTask(WorkflowTaskException):
    """A decision failed while a business-rule task ran; the message says where."""


class DecisionTask(SpiffBpmnTask):
    """Evaluates a decision (and those it requires) and stores the result in the task data."""

    def __init__(self, wf_spec, bpmn_id, decision_ref: str, decisions: dict, result_variable: str | None = None,
                 result_mapping: str | None = None, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.decision_ref = decision_ref
        #: {decision id: Decision.to_dict()} of the called decision and every decision it requires.
        self.decisions = decisions
        self.result_variable = result_variable
        self.result_mapping = result_mapping
        self._loaded: dict[str, Decision] | None = None

    def loaded(self) -> dict[str, Decision]:
        if self._loaded is None:
            self._loaded = {k: Decision.from_dict(v) for k, v in self.decisions.items()}
        return self._loaded

    def _run_hook(self, my_task):
        environment = my_task.workflow.script_engine.environment
        decisions = self.loaded()
        failure = None
        try:
            result = evaluate(decisions, self.decision_ref, my_task.data,
                              lambda source, scope: environment.evaluate(source, scope))
            decision = decisions[self.decision_ref]
            if self.result_variable:
                my_task.data[self.result_variable] = map_result(decision, result, self.result_mapping or "resultList")
            else:
                my_task.data.update(variables(decision, result))
        except DecisionFailed as exc:
            failure = str(exc)
        if failure is not None:  # raised outside the handler: the message is the whole story
            raise DecisionFailedInTask(failure, task=my_task)
        return super()._run_hook(my_task)


class DecisionTaskParser(SpiffTaskParser):
    """Reads a business-rule task against the bundle's decisions (``parser.decisions``)."""

    get_decision_ref = staticmethod(BusinessRuleTaskParser.get_decision_ref)

    def create_task(self):
        ref = self.get_decision_ref(self.node)
        decisions = self.process_parser.parser.decisions
        if not ref:
            self.raise_validation_exception("the business rule task names no decision "
                                            "(spiffworkflow:calledDecisionId)")
        if ref not in decisions:
            known = ", ".join(sorted(decisions.by_id)) or "none"
            self.raise_validation_exception(f"decision {ref!r} is not in the bundle's DMN files (decisions: {known})")
        extensions = self.parse_extensions()
        properties = extensions.get("properties") or {}
        variable, mapping = properties.get(RESULT_VARIABLE), properties.get(RESULT_MAPPING)
        self.check_mapping(decisions[ref], variable, mapping)
        return DecisionTask(
            self.spec, self.bpmn_id, decision_ref=ref,
            decisions={k: d.to_dict() for k, d in decisions.closure(ref).items()},
            result_variable=variable or None, result_mapping=mapping or None,
            prescript=extensions.get("preScript"), postscript=extensions.get("postScript"), **self.bpmn_attributes)

    def check_mapping(self, decision: Decision, variable: str | None, mapping: str | None) -> None:
        if mapping and mapping not in MAPPINGS:
            self.raise_validation_exception(f"the decision result mapping {mapping!r} is unknown "
                                            f"(use one of {', '.join(MAPPINGS)})")
        if mapping and not variable:
            self.raise_validation_exception(f"the decision result mapping {mapping!r} needs a result variable")
        if mapping in ("singleEntry", "collectEntries") and len(decision.output_names) != 1:
            self.raise_validation_exception(f"{mapping} takes one output, but decision {decision.id!r} has "
                                            f"{len(decision.output_names)}; use singleResult or resultList")
        if mapping in ("singleEntry", "singleResult") and multi_hit(decision):
            self.raise_validation_exception(f"{mapping} takes one matching rule, but decision {decision.id!r} "
                                            f"collects every match (hit policy {decision.hit_policy}); use "
                                            "collectEntries or resultList")

    def raise_validation_exception(self, message: str):
        raise ValidationException(message, node=self.node, file_name=self.filename)


class DecisionTaskConverter(SpiffBpmnTaskConverter):
    def to_dict(self, spec):
        dct = super().to_dict(spec)
        dct.update(decision_ref=spec.decision_ref, decisions=spec.decisions, result_variable=spec.result_variable,
                   result_mapping=spec.result_mapping)
        return dct
