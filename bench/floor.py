"""Bench line: SpiffWorkflow in memory with a JSON save and load around every transaction.

The honest floor of any engine that persists its instances: the same cases as
the in-memory line, but after each transaction's engine work the workflow is
serialised to JSON with Lotsen's serializer (spec by reference) and loaded
back, as the service layer does, with no database at all.
"""
from __future__ import annotations

from app.engine.store import SpecCache, make_serializer, specs_to_json

VERSION = 1


def roundtrip_for(spec, subprocesses):
    """A function that saves a workflow to JSON and loads it back (its script engine re-attached)."""
    cache = SpecCache()
    cache.put(VERSION, specs_to_json(spec, subprocesses))
    serializer = make_serializer(cache)

    def roundtrip(wf):
        wf.version_id = VERSION
        engine = wf.script_engine
        loaded = serializer.deserialize_json(serializer.serialize_json(wf))
        loaded.script_engine = engine
        return loaded

    return roundtrip
