"""Forms from Camunda: embedded HTML (Camunda 7) and form-js (Camunda 8) become JSON-Schema forms."""
from __future__ import annotations

import json

import pytest

from app.engine.form_import import declared_types, formjs_schema, html_schema
from app.engine.specs import BundleInvalid, parse_bundle
from app.services.forms import validate
from app.services.processes import RULES
from tests.bundles import FIXTURES

INVOICE_FORMS = {f"forms/{p.name}": p.read_text(encoding="utf-8")
                 for p in (FIXTURES / "camunda-invoice" / "forms").glob("*.html")}
ZEEBE = (FIXTURES / "camunda" / "sign_permit_zeebe.bpmn").read_text(encoding="utf-8")
SIGN_FEE_DMN = (FIXTURES / "camunda" / "sign_fee.dmn").read_text(encoding="utf-8")


def invoice_form(name: str) -> tuple[dict, list]:
    path = f"forms/{name}"
    return html_schema(path, INVOICE_FORMS[path], declared_types(INVOICE_FORMS))


def test_the_invoice_start_form_becomes_a_schema_with_types_labels_and_required_fields():
    schema, notes = invoice_form("start-form.html")
    props = schema["properties"]
    assert list(props) == ["creditor", "amount", "invoiceCategory", "invoiceNumber"]
    assert props["creditor"] == {"title": "Creditor", "type": "string", "x-default-from": "creditor"}
    assert props["amount"]["type"] == "number" and props["amount"]["title"] == "Amount"
    assert props["invoiceCategory"]["title"] == "Invoice Category"
    assert [o["const"] for o in props["invoiceCategory"]["oneOf"]] == ["Travel Expenses", "Misc",
                                                                       "Software License Costs"]
    assert props["invoiceCategory"]["default"] == "Travel Expenses"  # a select always sends its first option
    assert schema["required"] == ["creditor", "amount", "invoiceCategory", "invoiceNumber"]
    assert schema["additionalProperties"] is False
    assert sorted(m for m, error in notes if not error) == [
        "forms/start-form.html: file field 'invoiceDocument' is left out: upload the file as a case document",
        "forms/start-form.html: its form script (JavaScript) does not run in Lotsen; the fields' own rules "
        "(required, type) are checked on the server"]


def test_read_only_fields_show_case_data_and_take_their_type_from_the_other_forms():
    schema, notes = invoice_form("approve-invoice.html")
    props = schema["properties"]
    assert notes == []
    assert props["amount"] == {"title": "Amount", "type": "number", "x-default-from": "amount", "readOnly": True}
    assert props["approved"] == {"title": "Do you approve?", "type": "boolean", "default": False,
                                 "x-default-from": "approved"}
    assert schema["required"] == ["approved"]
    # a value sent for a read-only field is left out, never stored
    assert validate(schema, {"approved": True, "amount": 1.0, "creditor": "Someone else"}) == {"approved": True}


def test_a_select_with_an_empty_option_is_required_only_when_marked_so():
    schema, _ = invoice_form("assign-reviewer.html")
    reviewer = schema["properties"]["reviewer"]
    assert reviewer["title"] == "Reviewer" and "default" not in reviewer
    assert [o["const"] for o in reviewer["oneOf"]] == ["demo", "john", "peter", "mary"]
    assert schema["required"] == ["reviewer"]


def test_an_html_field_without_a_plain_name_or_with_an_unknown_type_is_an_error():
    _, notes = html_schema("forms/x.html", '<form><input cam-variable-name="a-b"><input cam-variable-name="n" '
                                           'cam-variable-type="Object"></form>', {})
    assert notes == [("forms/x.html: field 'a-b' must be a plain variable name", True),
                     ("forms/x.html: field 'n' has type 'object'; Lotsen reads String, Boolean, Integer, Long, "
                      "Short, Double, Date", True)]


FORM_JS = {
    "id": "check-sign", "type": "default", "schemaVersion": 16,
    "components": [
        {"type": "text", "text": "# Check the sign"},
        {"type": "textfield", "key": "owner", "label": "Owner", "validate": {"required": True, "maxLength": 80}},
        {"type": "number", "key": "area", "label": "Area", "decimalDigits": 0, "validate": {"min": 0, "max": 50}},
        {"type": "checkbox", "key": "lit", "label": "Lit at night", "defaultValue": False},
        {"type": "radio", "key": "size", "label": "Size", "values": [{"label": "Small", "value": "small"},
                                                                     {"label": "Large", "value": "large"}]},
        {"type": "checklist", "key": "sides", "label": "Sides", "values": [{"label": "North", "value": "n"}]},
        {"type": "datetime", "key": "visit", "dateLabel": "Visit", "subtype": "date"},
        {"type": "textarea", "key": "notes", "label": "Notes", "readonly": True},
        {"type": "group", "label": "More", "components": [{"type": "textfield", "key": "contact", "label": "Contact"}]},
    ]}


def test_a_form_js_form_becomes_a_schema_with_its_validation():
    schema, notes = formjs_schema("forms/check.form", json.dumps(FORM_JS))
    props = schema["properties"]
    assert notes == [] and schema["required"] == ["owner"]
    assert props["owner"] == {"title": "Owner", "type": "string", "x-default-from": "owner", "maxLength": 80}
    assert props["area"] == {"title": "Area", "type": "integer", "x-default-from": "area", "minimum": 0, "maximum": 50}
    assert props["lit"] == {"title": "Lit at night", "type": "boolean", "x-default-from": "lit", "default": False}
    assert props["size"]["oneOf"] == [{"const": "small", "title": "Small"}, {"const": "large", "title": "Large"}]
    assert props["sides"]["type"] == "array" and props["sides"]["items"]["oneOf"] == [{"const": "n", "title": "North"}]
    assert props["visit"]["format"] == "date"
    assert props["notes"]["x-widget"] == "textarea" and props["notes"]["readOnly"] is True
    assert "contact" in props  # a group without a path is only layout
    assert validate(schema, {"owner": "Eva", "area": 3, "size": "large"})


@pytest.mark.parametrize("component, message", [
    ({"type": "select", "key": "x", "valuesKey": "choices"}, "takes its options from a variable"),
    ({"type": "dynamiclist", "label": "Rows", "components": []}, "cannot be a Lotsen form field"),
    ({"type": "textfield", "key": "a.b"}, "needs a plain variable name as its key"),
    ({"type": "filepicker", "key": "doc"}, "of type 'filepicker' is not a form field Lotsen knows"),
])
def test_form_js_fields_lotsen_cannot_show_are_errors(component, message):
    _, notes = formjs_schema("forms/f.form", json.dumps({"components": [component]}))
    [(text, error)] = notes
    assert error and message in text


def zeebe_with_form(definition: str) -> str:
    return ZEEBE.replace('<zeebe:formDefinition formKey="check_sign.json" />', definition)


def test_a_camunda_8_task_finds_its_form_js_file_by_form_id():
    assert '<zeebe:formDefinition formKey="check_sign.json" />' in ZEEBE
    files = {"sign.bpmn": zeebe_with_form('<zeebe:formDefinition formId="check-sign" />'),
             "sign_fee.dmn": SIGN_FEE_DMN, "forms/check.form": json.dumps(FORM_JS)}
    bundle = parse_bundle(files, RULES)
    spec, _ = bundle.specs["sign_permit_c8"]
    assert spec.task_specs["check_sign"].extensions["formJsonSchemaFilename"] == "check.form.json"
    assert "owner" in json.loads(bundle.generated["forms/check.form.json"])["properties"]
    files["forms/check.form"] = json.dumps(FORM_JS | {"id": "other"})
    with pytest.raises(BundleInvalid) as err:
        parse_bundle(files, RULES)
    assert [p.message for p in err.value.problems] == [
        "no .form file in forms/ has the id 'check-sign'; upload the form beside the diagram"]
