"""Decision tables: requirement graphs, FEEL cells, hit policies, and what a deploy refuses."""
from __future__ import annotations

import itertools
from xml.sax.saxutils import escape

import pytest

from app.engine.runtime import EngineError, ProcessEngine
from app.engine.specs import BundleInvalid, parse_bundle
from app.engine.store import SpecCache, specs_to_json
from app.services.processes import RULES
from handlers import REGISTRY
from tests.bundles import FIXTURES

DECIDE_BPMN = (FIXTURES / "dmn" / "decide.bpmn").read_text(encoding="utf-8")
INVOICE_DMN = (FIXTURES / "camunda-invoice" / "invoiceBusinessDecisions.dmn").read_text(encoding="utf-8")
_version_ids = itertools.count(90_000)


def table(rules: list[tuple[list[str], list[str]]], *, hit_policy: str | None = None, aggregation: str | None = None,
          inputs: tuple[str, ...] = ("amount",), outputs: tuple[str, ...] = ("result",), ident: str = "pick",
          required: tuple[str, ...] = (), output_values: str | None = None) -> str:
    """One DMN decision table; each rule is (input cells, output cells) as a modeller would type them."""
    policy = f' hitPolicy="{hit_policy}"' if hit_policy else ""
    policy += f' aggregation="{aggregation}"' if aggregation else ""
    requirements = "".join(f'<informationRequirement id="req_{ident}_{r}"><requiredDecision href="#{r}"/>'
                           f'</informationRequirement>' for r in required)
    columns = "".join(f'<input id="{ident}_in_{i}" label="{name}"><inputExpression id="{ident}_ie_{i}" '
                      f'typeRef="string"><text>{escape(name)}</text></inputExpression></input>'
                      for i, name in enumerate(inputs))
    values = (f"<outputValues><text>{escape(output_values)}</text></outputValues>" if output_values else "")
    outs = "".join(f'<output id="{ident}_out_{i}" name="{name}" typeRef="string">{values}</output>'
                   for i, name in enumerate(outputs))
    rows = "".join(
        f'<rule id="{ident}_rule_{n}">'
        + "".join(f'<inputEntry id="{ident}_r{n}_i{i}"><text>{escape(c)}</text></inputEntry>'
                  for i, c in enumerate(ins))
        + "".join(f'<outputEntry id="{ident}_r{n}_o{i}"><text>{escape(c)}</text></outputEntry>'
                  for i, c in enumerate(outs_))
        + "</rule>" for n, (ins, outs_) in enumerate(rules, 1))
    return (f'<decision id="{ident}" name="{ident.title()}">{requirements}<decisionTable id="{ident}_table"{policy}>'
            f"{columns}{outs}{rows}</decisionTable></decision>")


def dmn(*decisions: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
            'id="tests" name="Tests" namespace="http://lotsen.example/tests">' + "".join(decisions) + "</definitions>")


def bundle(dmn_text: str, decision: str = "pick", **properties: str) -> dict[str, str]:
    props = "".join(f'<spiffworkflow:property name="{k}" value="{v}" />' for k, v in properties.items())
    return {"decide.bpmn": DECIDE_BPMN.replace("DECISION", decision).replace("PROPERTIES", props),
            "rules.dmn": dmn_text}


@pytest.fixture(scope="module")
def decide():
    """Run the business-rule task of ``bundle`` on ``data``; return the case data afterwards."""
    engine = ProcessEngine(REGISTRY, SpecCache())

    def run(files: dict[str, str], **data) -> dict:
        spec, subprocesses = parse_bundle(files, RULES).specs["decide"]
        version = next(_version_ids)
        engine.specs.put(version, specs_to_json(spec, subprocesses))
        wf = engine.new(version, data, context_for=lambda task: None)
        engine.run(wf, [])
        assert wf.is_completed()
        return engine.case_data(wf)

    yield run
    engine.scripts.close()


def refusals(files: dict[str, str]) -> list:
    with pytest.raises(BundleInvalid) as err:
        parse_bundle(files, RULES)
    return err.value.problems


def test_a_decision_that_requires_another_is_evaluated_after_it(decide):
    files = bundle(INVOICE_DMN, "invoice-assign-approver", decision_result_variable="approverGroups",
                   decision_result_mapping="collectEntries")
    assert decide(files, amount=30.0, invoiceCategory="Misc")["approverGroups"] == ["accounting", "sales"]
    assert decide(files, amount=300.0, invoiceCategory="Misc")["approverGroups"] == ["management"]
    assert decide(files, amount=9000.0, invoiceCategory="Software License Costs")["approverGroups"] == ["management"]
    # the required decision's output feeds the next one; it does not become case data of its own
    assert "invoiceClassification" not in decide(files, amount=30.0, invoiceCategory="Misc")


def test_required_decisions_are_evaluated_in_order_through_several_levels(decide):
    text = dmn(table([(["< 10"], ['"small"']), (["-"], ['"large"'])], ident="size", outputs=("size",),
                     hit_policy="FIRST"),
               table([(['"small"'], ["100"]), (['"large"'], ["amount * 20"])], ident="fee", inputs=("size",),
                     outputs=("base_fee",), required=("size",)),
               table([(["-"], ["base_fee + 50"])], ident="pick", inputs=("base_fee",), outputs=("fee",),
                     required=("fee",)))
    assert decide(bundle(text), amount=4)["fee"] == 150
    assert decide(bundle(text), amount=40)["fee"] == 850


@pytest.mark.parametrize("cell, matches, misses", [
    ("[250..1000]", [250, 600, 1000], [249.5, 1001, None]),
    ("]250..1000[", [251, 999], [250, 1000]),
    ("(250..1000]", [1000], [250]),
    (">= 10", [10, 11], [9, None]),
    ("< 250", [0, 249], [250, None]),
    ("!= 3", [2, None], [3]),
    ("= 3", [3], [4]),
    ("3", [3, 3.0], [4]),
    ('"a","b"', ["a", "b"], ["c", None]),
    ('"budget", "exceptional"', ["budget", "exceptional"], ["day-to-day expense"]),
    ('not("x")', ["y"], ["x"]),
    ('not("x", "y")', ["z"], ["x", "y"]),
    ("-", ["anything", None, 0], []),
    ("", ["anything", None], []),
    ("null", [None], [0, ""]),
    ("< limit", [4], [5, 6]),  # an endpoint may name case data
    ("true", [True], [False]),
    # Lotsen's own (Python) cells keep working
    ('? in ("plank", "mur")', ["plank", "mur"], ["hus"]),
    ("? > 20", [21], [20]),
    ("True", [True], [False]),
    ("? in (False, None)", [False, None], [True]),
])
def test_input_cells_read_feel_unary_tests_and_python(decide, cell, matches, misses):
    files = bundle(dmn(table([([cell], ['"hit"']), (["-"], ['"miss"'])], hit_policy="FIRST")))
    for value in matches:
        assert decide(files, amount=value, limit=5)["result"] == "hit", value
    for value in misses:
        assert decide(files, amount=value, limit=5)["result"] == "miss", value


def test_output_cells_are_feel_literal_expressions(decide):
    files = bundle(dmn(table([(["-"], ['"text"', "true", "null", "amount * 2", '["miljo"]'])], hit_policy="FIRST",
                             outputs=("a", "b", "c", "d", "e"))))
    assert decide(files, amount=21) | {"amount": 21} == {"amount": 21, "a": "text", "b": True, "c": None, "d": 42,
                                                          "e": ["miljo"]}


def test_a_text_input_in_a_number_column_is_compared_as_a_number(decide):
    text = dmn(table([(["[250..1000]"], ['"budget"'])]).replace('typeRef="string"', 'typeRef="double"', 1))
    assert decide(bundle(text), amount="300")["result"] == "budget"


GROUPS = [([">= 0"], ['"accounting"']), ([">= 100"], ['"sales"']), ([">= 1000"], ['"management"'])]
NUMBERS = [(["> 0"], ["10"]), (["> 5"], ["20"]), (["> 50"], ["5"])]


@pytest.mark.parametrize("policy, aggregation, rules, amount, result", [
    ("FIRST", None, GROUPS, 500, "accounting"),
    ("COLLECT", None, GROUPS, 500, ["accounting", "sales"]),
    ("COLLECT", None, GROUPS, -1, []),
    ("RULE ORDER", None, GROUPS, 5000, ["accounting", "sales", "management"]),
    ("COLLECT", "SUM", NUMBERS, 60, 35),
    ("COLLECT", "MIN", NUMBERS, 60, 5),
    ("COLLECT", "MAX", NUMBERS, 60, 20),
    ("COLLECT", "COUNT", NUMBERS, 60, 3),
    ("COLLECT", "COUNT", NUMBERS, 0, 0),
    ("COLLECT", "SUM", NUMBERS, 0, None),
    ("UNIQUE", None, GROUPS, 50, "accounting"),
    ("UNIQUE", None, GROUPS, -5, None),
    (None, None, GROUPS, 50, "accounting"),  # UNIQUE is the default
    ("ANY", None, [([">= 0"], ['"a"']), ([">= 10"], ['"a"'])], 50, "a"),
])
def test_hit_policies(decide, policy, aggregation, rules, amount, result):
    files = bundle(dmn(table(rules, hit_policy=policy, aggregation=aggregation)))
    assert decide(files, amount=amount)["result"] == result


def test_priority_and_output_order_follow_the_output_values(decide):
    values = '"management","sales","accounting"'
    files = bundle(dmn(table(GROUPS, hit_policy="PRIORITY", output_values=values)))
    assert decide(files, amount=500)["result"] == "sales"
    files = bundle(dmn(table(GROUPS, hit_policy="OUTPUT ORDER", output_values=values)))
    assert decide(files, amount=5000)["result"] == ["management", "sales", "accounting"]


def run_failing(decide, files, **data) -> EngineError:
    with pytest.raises(EngineError) as err:
        decide(files, **data)
    return err.value


def test_a_second_match_under_unique_fails_the_step_naming_both_rules(decide):
    error = run_failing(decide, bundle(dmn(table(GROUPS, hit_policy="UNIQUE"))), amount=500)
    assert error.element == "rule"
    assert "decision 'Pick' (pick) has hit policy UNIQUE, but rule 1 (pick_rule_1) and rule 2 (pick_rule_2) both " \
           "match" in str(error)


def test_rules_that_match_with_different_outputs_under_any_fail_the_step(decide):
    error = run_failing(decide, bundle(dmn(table(GROUPS, hit_policy="ANY"))), amount=500)
    assert "hit policy ANY, but rule 1 (pick_rule_1) and rule 2 (pick_rule_2) match with different outputs" in \
           str(error)


def test_a_cell_that_fails_at_run_time_names_its_decision_rule_and_column(decide):
    error = run_failing(decide, bundle(dmn(table([(["> 5"], ['"x"'])], inputs=("height",)))), amount=1)
    assert "decision 'Pick' (pick), input 'height': NameError" in str(error)
    error = run_failing(decide, bundle(dmn(table([(["-"], ["amount / 0"])]))), amount=1)
    assert "decision 'Pick' (pick), rule 1 (pick_rule_1), output 'result': ZeroDivisionError" in str(error)


@pytest.mark.parametrize("mapping, amount, expected", [
    ("singleEntry", 50, "accounting"),
    ("singleResult", 50, {"result": "accounting"}),
    ("singleEntry", -1, None),
])
def test_result_variable_mappings_of_a_single_hit(decide, mapping, amount, expected):
    files = bundle(dmn(table(GROUPS, hit_policy="FIRST")), decision_result_variable="chosen",
                   decision_result_mapping=mapping)
    data = decide(files, amount=amount)
    assert data["chosen"] == expected and "result" not in data


@pytest.mark.parametrize("mapping, expected", [
    ("collectEntries", ["accounting", "sales"]),
    ("resultList", [{"result": "accounting"}, {"result": "sales"}]),
])
def test_result_variable_mappings_of_several_hits(decide, mapping, expected):
    files = bundle(dmn(table(GROUPS, hit_policy="COLLECT")), decision_result_variable="chosen",
                   decision_result_mapping=mapping)
    assert decide(files, amount=500)["chosen"] == expected


def test_every_decision_of_a_file_is_compiled_at_deploy_even_unused_ones():
    text = dmn(table([(["< 250"], ['"fine"'])]),
               table([(["[1..2"], ['"x"']), (["-"], ["import os"])], ident="unused"))
    found = refusals(bundle(text))
    assert {(p.file, p.element) for p in found} == {("rules.dmn", "unused")}
    assert all(p.line for p in found)
    messages = sorted(p.message for p in found)
    assert messages[0].startswith("decision 'unused': rule 1 (unused_rule_1), input 'amount' ('[1..2') cannot be "
                                  "read")
    assert messages[1].startswith("decision 'unused': rule 2 (unused_rule_2), output 'result' ('import os') cannot "
                                  "be read")


def test_a_missing_required_decision_and_a_circle_are_refused_at_deploy():
    missing = dmn(table([(["-"], ['"x"'])], required=("classify",)))
    [p] = refusals(bundle(missing))
    assert (p.file, p.element) == ("rules.dmn", "pick")
    assert p.message.startswith("decision 'pick' requires decision 'classify', which is not in the bundle")
    circle = dmn(table([(["-"], ['"x"'])], required=("other",)),
                 table([(["-"], ['"y"'])], ident="other", required=("pick",)))
    messages = {p.message for p in refusals(bundle(circle))}
    assert "decisions pick → other → pick require each other in a circle" in messages


def test_a_task_calling_an_unknown_decision_is_refused_naming_the_ones_there_are():
    [p] = refusals(bundle(dmn(table([(["-"], ['"x"'])])), "pik"))
    assert p.element == "rule" and p.file == "decide.bpmn"
    assert "decision 'pik' is not in the bundle's DMN files (decisions: pick)" in p.message


@pytest.mark.parametrize("kwargs, message", [
    ({"hit_policy": "SOMETIMES"}, "'SOMETIMES' is not an element of the set"),
    ({"hit_policy": "FIRST", "aggregation": "SUM"}, "aggregation 'SUM' needs hit policy COLLECT"),
    ({"hit_policy": "PRIORITY"}, "give every output column its list of values"),
])
def test_table_settings_that_cannot_work_are_refused(kwargs, message):
    found = refusals(bundle(dmn(table(GROUPS, **kwargs))))
    assert any(message in p.message for p in found), found


def test_a_mapping_that_does_not_fit_the_table_is_refused():
    [p] = refusals(bundle(dmn(table(GROUPS, hit_policy="COLLECT")), decision_result_variable="x",
                          decision_result_mapping="singleEntry"))
    assert "singleEntry takes one matching rule, but decision 'pick' collects every match" in p.message
