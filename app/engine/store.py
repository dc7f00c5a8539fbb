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
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG as SPIFF_CONFIG


def make_serializer(cache: SpecCache) -> BpmnWorkflowSerializer:
    class SpecRefConverter(BpmnWorkflowConverter):
        def to_dict(self, wf):
            d = super().to_dict(wf)
            d["spec"] = {"ref": wf.version_id}
            d["subprocess_specs"] = {}
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
    """Parsed specs by process-version id, restored from storage on first use."""

    def __init__(self, loader: Callable[[int], str] | None = None):
        self._specs: dict[int, tuple] = {}
        self._locks: dict[int, threading.RLock] = {}
        self._guard = threading.Lock()
        self.loader = loader

    def put(self, version_id: int, spec_json: str) -> None:
        with self._guard:
            self._specs[version_id] = specs_from_json(spec_json)

    def get(self, version_id: int) -> tuple:
        if version_id not in self._specs:
            if self.loader is None:
                raise KeyError(f"process version {version_id} is not loaded")
            self.put(version_id, self.loader(version_id))
        return self._specs[version_id]

    def lock(self, version_id: int) -> threading.RLock:
        """One lock per version: SpiffWorkflow specs are shared and not thread-safe."""
        with self._guard:
            return self._locks.setdefault(version_id, threading.RLock())
