"""Deploy is all or nothing, and every problem names file, element and cause."""
import pytest

from app.engine.specs import BundleInvalid, parse_bundle
from app.services.processes import RULES
from tests.bundles import MINI_BPMN, mini_bundle


def problems(files):
    with pytest.raises(BundleInvalid) as err:
        parse_bundle(files, RULES)
    return err.value.problems


def test_a_valid_bundle_parses():
    bundle = parse_bundle(mini_bundle(), RULES)
    assert set(bundle.specs) == {"mini"}


def test_import_in_a_script_is_rejected_with_the_element():
    [p] = problems(mini_bundle(script="import os\nx = os.getpid()"))
    assert p.file == "mini.bpmn" and p.element == "compute" and "imports are not allowed" in p.message
    assert p.line is not None


def test_dunder_escape_in_a_script_is_rejected():
    [p] = problems(mini_bundle(script="x = ().__class__.__base__"))
    assert p.element == "compute" and "__class__" in p.message


def test_service_operation_without_a_handler_is_rejected():
    [p] = problems(mini_bundle(operation="send_fax"))
    assert p.element == "register" and "'send_fax' has no handler" in p.message


def test_missing_form_file_is_rejected():
    [p] = problems(mini_bundle(forms={}))
    assert p.element == "check" and "forms/check.json is missing" in p.message


def test_invalid_form_schema_is_rejected():
    [p] = problems(mini_bundle(forms={"forms/check.json": '{"type": "object", "required": 5}'}))
    assert p.file == "forms/check.json" and "not a valid JSON Schema" in p.message


def test_unknown_lane_is_rejected():
    [p] = problems(mini_bundle(bpmn=MINI_BPMN.replace('name="Coordinator"', 'name="Janitor"')
                               .replace("SCRIPT", "x = 1").replace("OPERATION", "register_case")))
    assert p.element == "lane_coordinator" and "'Janitor' is not a known group" in p.message


def test_malformed_xml_is_rejected_with_its_line():
    [p] = problems(mini_bundle(bpmn='<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">\n<oops></definitions>'))
    assert p.file == "mini.bpmn" and "not well-formed XML" in p.message and p.line == 2


def test_xsd_violation_is_rejected():
    broken = MINI_BPMN.replace("SCRIPT", "x = 1").replace("OPERATION", "register_case") \
        .replace('<bpmn:endEvent id="done">', '<bpmn:bogus /><bpmn:endEvent id="done">')
    [p] = problems(mini_bundle(bpmn=broken))
    assert p.file == "mini.bpmn" and "bogus" in p.message


def test_entity_expansion_bomb_is_rejected():
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">&lol2;</bpmn:definitions>")
    [p] = problems(mini_bundle(bpmn=bomb))
    assert "entity" in p.message.lower() or "DTD" in p.message


def test_external_entity_is_rejected():
    xxe = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">&e;</bpmn:definitions>")
    [p] = problems(mini_bundle(bpmn=xxe))
    assert "entity" in p.message.lower() or "DTD" in p.message


def test_bpmn_without_executable_process_is_rejected():
    text = MINI_BPMN.replace('isExecutable="true"', 'isExecutable="false"') \
        .replace("SCRIPT", "x = 1").replace("OPERATION", "register_case")
    [p] = problems(mini_bundle(bpmn=text))
    assert "no executable process" in p.message


def test_duplicate_element_ids_are_rejected():
    text = MINI_BPMN.replace('<bpmn:scriptTask id="compute"', '<bpmn:scriptTask id="check"') \
        .replace('targetRef="compute"', 'targetRef="check"').replace('sourceRef="compute"', 'sourceRef="check"') \
        .replace("SCRIPT", "x = 1").replace("OPERATION", "register_case")
    found = problems(mini_bundle(bpmn=text))
    assert any("check" in (p.message + (p.element or "")) for p in found)


def test_script_with_a_syntax_error_is_rejected():
    [p] = problems(mini_bundle(script="archived = = True"))
    assert p.element == "compute" and "does not compile" in p.message


def test_element_id_equal_to_its_operation_name_is_explained():
    text = MINI_BPMN.replace("SCRIPT", "x = 1").replace("OPERATION", "register_case") \
        .replace('id="register"', 'id="register_case"').replace('Ref="register"', 'Ref="register_case"')
    found = problems(mini_bundle(bpmn=text))
    assert any(p.element == "register_case" and "equals a service operation name" in p.message for p in found)


TIMER = """<bpmn:intermediateCatchEvent id="wait_a_while" name="Wait">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f3b</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>EXPR</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>"""


def bundle_with_timer(expr: str) -> dict:
    text = MINI_BPMN.replace("SCRIPT", "x = 1").replace("OPERATION", "register_case")
    text = text.replace('<bpmn:sequenceFlow id="f3" sourceRef="compute" targetRef="register" />',
                        '<bpmn:sequenceFlow id="f3" sourceRef="compute" targetRef="wait_a_while" />'
                        '<bpmn:sequenceFlow id="f3b" sourceRef="wait_a_while" targetRef="register" />')
    text = text.replace('<bpmn:endEvent id="done">', TIMER.replace("EXPR", expr) + '<bpmn:endEvent id="done">')
    text = text.replace("<bpmn:flowNodeRef>done</bpmn:flowNodeRef>",
                        "<bpmn:flowNodeRef>done</bpmn:flowNodeRef><bpmn:flowNodeRef>wait_a_while</bpmn:flowNodeRef>")
    return mini_bundle(bpmn=text)


def test_timer_with_a_valid_duration_deploys():
    assert parse_bundle(bundle_with_timer("'P21D'"), RULES).specs


@pytest.mark.parametrize("expr, message", [("'P2X'", "not a valid ISO 8601"), ("'21 days'", "not a valid ISO 8601"),
                                           ("reply_by +", "does not compile")])
def test_timer_expression_that_cannot_be_evaluated_is_rejected(expr, message):
    [p] = problems(bundle_with_timer(expr))
    assert p.element == "wait_a_while" and message in p.message
