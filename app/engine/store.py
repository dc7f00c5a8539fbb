"""Specs stored once per deployed version; instance state serialized without them.

The serializer writes a workflow's JSON with its spec *by reference* (the
process-version id) and restores it from the process-wide ``SpecCache``.
"""
from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Mapping

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG

from .parser import SPEC_CONVERTERS

#: SpiffWorkflow's converters and Lotsen's own task specs' (decisions, ...).
SPIFF_CONFIG = {**DEFAULT_CONFIG, **SPEC_CONVERTERS}


def make_serializer(cache: SpecCache) -> BpmnWorkflowSerializer:
    class SpecRefConverter(BpmnWorkflowConverter):
        def to_dict(self, wf):
            # WorkflowConverter's part only: BpmnWorkflowConverter would also convert the whole spec (and
            # its subprocess specs), which is stored once per version and referenced here instead
            d = WorkflowConverter.to_dict(self, wf)
            d["spec"] = {"ref": wf.version_id}
            d["subprocess_specs"] = {}
            d["subprocesses"] = self.mapping_to_dict(wf.subprocesses)
            d["bpmn_events"] = self.registry.convert(wf.bpmn_events)
            return d

        def from_dict(self, d):
            spec, subprocesses = cache.get(d["spec"]["ref"])
            wf = self.target_class(spec, subprocesses, deserializing=True)
            wf.tasks = self.mapping_from_dict(d["tasks"], uuid.UUID, workflow=wf)
            wf.task_tree = wf.tasks.get(uuid.UUID(d["root"]))
            self.set_default_attributes(wf, d)
            self.subprocesses_from_dict(d["subprocesses"], wf)
            wf.bpmn_events = self.registry.restore(d.pop("bpmn_events", []))
            wf.version_id = d["spec"]["ref"]
            return wf

    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = SpecRefConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_PLAIN = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


def specs_to_json(spec, subprocesses: Mapping) -> str:
    """Serialize a parsed spec and its subprocess specs for storage."""
    registry = _PLAIN.registry
    return json.dumps({"spec": registry.convert(spec),
                       "subprocesses": {k: registry.convert(v) for k, v in subprocesses.items()}})


def specs_from_json(text: str):
    data = json.loads(text)
    registry = _PLAIN.registry
    return registry.restore(data["spec"]), {k: registry.restore(v) for k, v in data["subprocesses"].items()}


class SpecCache:
    """Parsed specs by process-version id, restored from storage on first use.

    SpecWorkflow's spec objects are not thread-safe (some task specs connect
    callbacks on them while a workflow runs), so every thread gets specs of
    its own, parsed once per thread from the stored JSON. Cases on the same
    version then run side by side without a shared lock; each case is
    protected by its own optimistic version counter.
    """

    def __init__(self, loader: Callable[[int], str] | None = None):
        self._json: dict[int, str] = {}
        self._local = threading.local()
        self._guard = threading.Lock()
        self.loader = loader

    def put(self, version_id: int, spec_json: str) -> None:
        with self._guard:
            self._json[version_id] = spec_json

    def put_parsed(self, version_id: int, spec, subprocesses: Mapping) -> None:
        """Give this thread specs parsed elsewhere (the deploy gate walks a version before it is stored)."""
        mine = getattr(self._local, "specs", None)
        if mine is None:
            mine = self._local.specs = {}
        mine[version_id] = (spec, dict(subprocesses))

    def _spec_json(self, version_id: int) -> str:
        text = self._json.get(version_id)
        if text is None:
            if self.loader is None:
                raise KeyError(f"process version {version_id} is not loaded")
            text = self.loader(version_id)
            self.put(version_id, text)
        return text

    def get(self, version_id: int) -> tuple:
        """This thread's parsed (spec, subprocess specs) of the version."""
        mine = getattr(self._local, "specs", None)
        if mine is None:
            mine = self._local.specs = {}
        if version_id not in mine:
            mine[version_id] = specs_from_json(self._spec_json(version_id))
        return mine[version_id]
