"""Camunda forms as JSON-Schema forms: form keys (JSON Schema, embedded HTML, form-js) and ``camunda:formData``."""
from __future__ import annotations

import json
import re

from lxml import etree

from . import form_import as form_importer
from .camunda_xml import NS, ZEEBE_NS, camunda_attr, spiff_child
from .expressions import Untranslatable, translate_expression

FORM_FIELD_TYPES = ("string", "long", "boolean", "date", "enum")
#: Form files a form key may name: JSON Schema as it is; embedded HTML and form-js are converted.
FORM_FILES = (".json", ".html", ".htm", ".form")


class FormsMixin:
    """The form part of the Camunda translator (``issue``, ``warn``, ``result`` and ``form_files`` come from it)."""

    form_files: dict[str, str]
    declared_types: dict[str, str]

    def form(self, el: etree._Element) -> None:
        task_id = el.get("id")
        key = camunda_attr(el, "formKey")
        definition = el.find("bpmn:extensionElements/zeebe:formDefinition", NS)
        form_id = definition.get("formId") if definition is not None else None
        if key is None and definition is not None:
            key = definition.get("formKey")
        form_data = el.find("bpmn:extensionElements/camunda:formData", NS)
        if form_id:
            self.linked_form(el, form_id)
        elif key:
            self.keyed_form(el, key.strip())
        elif form_data is not None:
            schema = self.schema_from_fields(el, form_data)
            if schema is not None:
                self.result.forms[f"forms/{task_id}.json"] = json.dumps(schema, indent=2, ensure_ascii=False)
                spiff_child(el, "formJsonSchemaFilename", f"{task_id}.json")

    def keyed_form(self, el: etree._Element, key: str) -> None:
        embedded = re.fullmatch(r"camunda-forms:bpmn:(.+)", key)
        if embedded:
            self.embedded_form(el, embedded[1])
            return
        name = re.sub(r"^(embedded:|camunda-forms:)?(app:|deployment:)?", "", key).rsplit("/", 1)[-1]
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or not name.endswith(FORM_FILES):
            self.issue(el, f"form key {key!r} names no form file Lotsen reads; give the name of a JSON-Schema "
                           "(.json), embedded HTML (.html) or form-js (.form) file in forms/, e.g. "
                           "camunda:formKey=\"embedded:app:forms/approve.html\", or define the fields with "
                           "camunda:formData")
        elif name.endswith(".json"):
            spiff_child(el, "formJsonSchemaFilename", name)
        else:
            self.converted_form(el, f"forms/{name}")

    def linked_form(self, el: etree._Element, form_id: str) -> None:
        """A Camunda 8 task linked to a form-js file by the form's id."""
        for path, text in sorted(self.form_files.items()):
            if path.endswith(".form") and form_importer.formjs_id(text) == form_id:
                self.converted_form(el, path)
                return
        self.issue(el, f"no .form file in forms/ has the id {form_id!r}; upload the form beside the diagram")

    def embedded_form(self, el: etree._Element, form_id: str) -> None:
        """A Camunda 8 form embedded in the diagram (zeebe:userTaskForm)."""
        for embedded in el.getroottree().getroot().iter(f"{{{ZEEBE_NS}}}userTaskForm"):
            if embedded.get("id") == form_id:
                self.use_schema(el, f"forms/{form_id}.form.json",
                                *form_importer.formjs_schema(f"form {form_id}", embedded.text or ""))
                return
        self.issue(el, f"the diagram embeds no form {form_id!r} (zeebe:userTaskForm)")

    def converted_form(self, el: etree._Element, path: str) -> None:
        """An HTML or form-js file of the bundle, as a generated JSON-Schema form beside it."""
        if path not in self.form_files:
            self.issue(el, f"form file {path} is missing; upload it beside the diagram")
            return
        text = self.form_files[path]
        if path.endswith(".form"):
            schema, notes = form_importer.formjs_schema(path, text)
        else:
            schema, notes = form_importer.html_schema(path, text, self.declared_types)
        self.use_schema(el, f"{path}.json", schema, notes)

    def use_schema(self, el: etree._Element, path: str, schema: dict, notes) -> None:
        for message, error in notes:
            (self.issue if error else self.warn)(el, message)
        if any(error for _, error in notes):
            return
        self.result.forms[path] = json.dumps(schema, indent=2, ensure_ascii=False)
        spiff_child(el, "formJsonSchemaFilename", path.removeprefix("forms/"))

    def schema_from_fields(self, el: etree._Element, form_data: etree._Element) -> dict | None:
        properties, required, ok = {}, [], True
        for fld in form_data.findall("camunda:formField", NS):
            name, kind = fld.get("id"), (fld.get("type") or "string")
            if not name or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
                self.issue(el, f"form field id {name!r} must be a plain variable name")
                ok = False
                continue
            if kind not in FORM_FIELD_TYPES:
                self.issue(el, f"form field {name!r} has type {kind!r}; Lotsen supports {', '.join(FORM_FIELD_TYPES)}")
                ok = False
                continue
            prop = self.field_schema(el, fld, name, kind)
            if prop is None:
                ok = False
                continue
            for constraint in fld.findall("camunda:validation/camunda:constraint", NS):
                if not self.constrain(el, name, kind, prop, constraint, required):
                    ok = False
            properties[name] = prop
        if not ok:
            return None
        return {"$comment": f"generated from the camunda:formData of {el.get('id')}", "type": "object",
                "properties": properties, "required": required, "additionalProperties": False}

    def field_schema(self, el: etree._Element, fld: etree._Element, name: str, kind: str) -> dict | None:
        prop = self.field_type(el, fld, name, kind)
        if prop is None:
            return None
        default = fld.get("defaultValue")
        if default is None or default == "":
            return prop
        if default.strip().startswith(("${", "#{")):
            source = self.default_variable(el, name, default)
            if source is None:
                return None
            prop["x-default-from"] = source
            return prop
        try:
            prop["default"] = _typed_default(kind, default)
        except ValueError:
            self.issue(el, f"default of form field {name!r} ({default!r}) is not a valid {kind}")
            return None
        return prop

    def field_type(self, el: etree._Element, fld: etree._Element, name: str, kind: str) -> dict | None:
        """The field's title and JSON Schema type; for an enum, its values."""
        prop: dict = {"title": fld.get("label") or name}
        if kind == "string":
            prop["type"] = "string"
        elif kind == "long":
            prop["type"] = "integer"
        elif kind == "boolean":
            prop["type"] = "boolean"
        elif kind == "date":
            prop.update(type="string", format="date")
        else:
            values = fld.findall("camunda:value", NS)
            if not values:
                self.issue(el, f"enum form field {name!r} has no values")
                return None
            prop["type"] = "string"
            prop["oneOf"] = [{"const": v.get("id"), "title": v.get("name") or v.get("id")} for v in values]
        return prop

    def default_variable(self, el: etree._Element, name: str, default: str) -> str | None:
        """The one variable an expression default (``${...}``) names, or None after reporting why not."""
        try:
            source = translate_expression(default)
        except Untranslatable as exc:
            self.issue(el, f"default of form field {name!r} ({default}) cannot be translated: {exc}")
            return None
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", source):
            self.issue(el, f"default of form field {name!r} ({default}) must name one variable")
            return None
        return source

    def constrain(self, el, name, kind, prop, constraint, required) -> bool:
        what, config = constraint.get("name"), constraint.get("config")
        keys = {("string", "minlength"): "minLength", ("string", "maxlength"): "maxLength",
                ("long", "min"): "minimum", ("long", "max"): "maximum"}
        if what == "required":
            required.append(name)
        elif what == "readonly":
            prop["readOnly"] = True
        elif (kind, what) in keys and config is not None and re.fullmatch(r"-?\d+", config.strip()):
            prop[keys[(kind, what)]] = int(config)
        else:
            self.issue(el, f"form field {name!r}: validation {what!r} is not supported "
                           "(Lotsen knows required, readonly, minlength/maxlength, min/max)")
            return False
        return True


def _typed_default(kind: str, value: str):
    if kind == "long":
        return int(value)
    if kind == "boolean":
        if value.lower() not in ("true", "false"):
            raise ValueError(value)
        return value.lower() == "true"
    if kind == "date":
        m = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", value.strip())
        if m:
            return f"{m[3]}-{m[2]}-{m[1]}"
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError(value)
    return value
