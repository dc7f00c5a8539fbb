"""Call activities pass chosen variables in and out (Camunda's camunda:in / camunda:out)."""
from __future__ import annotations

import itertools

import pytest

from app.engine.runtime import ProcessEngine
from app.engine.specs import BundleInvalid, parse_bundle
from app.engine.store import SpecCache, specs_to_json
from app.services.processes import RULES
from handlers import REGISTRY
from tests.bundles import CHECK_FORM, FIXTURES

CALLS = (FIXTURES / "camunda" / "call_mapping.bpmn").read_text(encoding="utf-8")
_versions = itertools.count(70_000)
START = {"amount": 250, "creditor": "Pizza AB", "secret": "not for the reviewer", "total": 10}


@pytest.fixture(scope="module")
def engine():
    engine = ProcessEngine(REGISTRY, SpecCache())
    yield engine
    engine.scripts.close()


def run(engine, mappings: str) -> tuple[dict, dict]:
    """(what the called process sees at its user task, the caller's data at the end)."""
    files = {"calls.bpmn": CALLS.replace("MAPPINGS", mappings), "forms/check.json": CHECK_FORM}
    version = next(_versions)
    engine.specs.put(version, specs_to_json(*parse_bundle(files, RULES).specs["caller"]))
    wf = engine.new(version, START, context_for=lambda task: None)
    engine.run(wf, [])
    [look] = engine.snapshot(wf, []).ready
    seen = dict(look.data)
    wf = engine.load(engine.dump(wf), context_for=lambda task: None)  # the mappings survive a round trip
    engine.complete_task(wf, look.id, {"ok": True}, [])
    assert wf.is_completed()
    return seen, engine.case_data(wf)


def test_the_called_process_gets_only_the_in_variables_and_returns_only_the_out_ones(engine):
    seen, after = run(engine, '<camunda:in source="amount" target="amount" />'
                              '<camunda:in source="creditor" target="supplier" />'
                              '<camunda:in sourceExpression="${total * 2}" target="double_total" />'
                              '<camunda:out source="clarified" target="clarified" />')
    assert seen == {"amount": 250, "supplier": "Pizza AB", "double_total": 20}
    assert after == START | {"clarified": True}  # amount changed in the callee, but was not mapped out


def test_variables_all_passes_everything_that_way(engine):
    seen, after = run(engine, '<camunda:in variables="all" /><camunda:out source="amount" target="new_amount" />')
    assert seen == START
    assert after == START | {"new_amount": 1}
    seen, after = run(engine, '<camunda:in source="amount" target="amount" /><camunda:out variables="all" />')
    assert seen == {"amount": 250} and after == START | {"amount": 1, "clarified": True, "ok": True}


def test_without_mappings_the_called_process_shares_all_case_data(engine):
    seen, after = run(engine, "")
    assert seen == START and after == START | {"amount": 1, "clarified": True, "ok": True}


@pytest.mark.parametrize("mapping, message", [
    ('<camunda:in source="amount" />', "camunda:in needs source (or sourceExpression) and target"),
    ('<camunda:in sourceExpression="${calc.total()}" target="t" />', "sourceExpression '${calc.total()}' cannot be "
                                                                     "translated: it calls a method"),
])
def test_a_mapping_that_cannot_work_is_refused(mapping, message):
    with pytest.raises(BundleInvalid) as err:
        parse_bundle({"calls.bpmn": CALLS.replace("MAPPINGS", mapping), "forms/check.json": CHECK_FORM}, RULES)
    [p] = err.value.problems
    assert p.element == "call_review" and message in p.message
