"""Forms from other tools as Lotsen's JSON-Schema forms.

- Camunda 7 embedded HTML forms: every ``cam-variable-name`` input, select or
  textarea is a field; ``cam-variable-type`` gives its type (an untyped field
  takes the type another form of the bundle gives the same variable, else
  text), ``required`` and ``readonly`` carry over, labels are read from the
  page. Form scripts (JavaScript) do not run: they are reported.
- Camunda 8 form-js files (``.form``): text fields, text areas, numbers,
  checkboxes, radios, selects, checklists, tag lists and dates with their
  validation.

Every field is pre-filled from the case variable of the same name, as the
Camunda task lists do. ``convert`` returns the schema with a list of
``(message, is_error)`` notes.
"""
from __future__ import annotations

import json
import re

import lxml.html
from lxml import etree

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_TYPES = {"string": {"type": "string"}, "boolean": {"type": "boolean"}, "integer": {"type": "integer"},
          "long": {"type": "integer"}, "short": {"type": "integer"}, "double": {"type": "number"},
          "date": {"type": "string", "format": "date"}}

Notes = list[tuple[str, bool]]


def _schema(source: str, properties: dict, required: list[str]) -> dict:
    return {"$comment": f"generated from {source}", "type": "object", "properties": properties,
            "required": required, "additionalProperties": False}


# ------------------------------------------------------------------ Camunda 7 embedded HTML forms


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split())


def _always_chosen(el) -> bool:
    """A single-choice select without an empty option always has a value."""
    if el.tag != "select" or el.get("multiple") is not None:
        return False
    options = list(el.iter("option"))
    return bool(options) and all((o.get("value") if o.get("value") is not None else _text(o)) for o in options)


def _label(field, root) -> str | None:
    if field.get("id"):
        for label in root.iter("label"):
            if label.get("for") == field.get("id"):
                return _text(label).rstrip(":").strip()
    for ancestor in field.iterancestors():
        if ancestor.tag == "label":
            return _text(ancestor).rstrip(":").strip() or None
        if len([e for e in ancestor.iter() if e.get("cam-variable-name")]) > 1:
            return None
        labels = list(ancestor.iter("label"))
        if labels:
            return _text(labels[0]).rstrip(":").strip() or None
    return None


def html_fields(text: str) -> list:
    """The ``cam-variable-name`` elements of an HTML form, in page order."""
    root = lxml.html.fromstring(text, parser=lxml.html.HTMLParser(no_network=True, remove_comments=True))
    return [el for el in root.iter() if isinstance(el.tag, str) and el.get("cam-variable-name")]


def declared_types(forms: dict[str, str]) -> dict[str, str]:
    """Variable name → ``cam-variable-type`` as the bundle's HTML forms declare it."""
    types: dict[str, str] = {}
    for text in forms.values():
        for el in html_fields(text):
            if el.get("cam-variable-type"):
                types.setdefault(el.get("cam-variable-name"), el.get("cam-variable-type").lower())
    return types


class _HtmlForm:
    def __init__(self, source: str, known_types: dict[str, str]):
        self.source, self.known_types = source, known_types
        self.properties: dict = {}
        self.required: list[str] = []
        self.notes: Notes = []

    def note(self, message: str, error: bool = False) -> None:
        self.notes.append((f"{self.source}: {message}", error))

    def convert(self, text: str) -> dict:
        root = lxml.html.fromstring(text, parser=lxml.html.HTMLParser(no_network=True, remove_comments=True))
        if any(s.get("cam-script") is not None for s in root.iter("script")):
            self.note("its form script (JavaScript) does not run in Lotsen; the fields' own rules (required, type) "
                      "are checked on the server")
        for el in root.iter():
            if isinstance(el.tag, str) and el.get("cam-variable-name"):
                self.field(el, root)
        return _schema(self.source, self.properties, self.required)

    def field(self, el, root) -> None:
        name = el.get("cam-variable-name")
        kind = (el.get("cam-variable-type") or "").lower()
        if not NAME.match(name):
            self.note(f"field {name!r} must be a plain variable name", error=True)
            return
        if kind == "file" or el.get("type") == "file":
            self.note(f"file field {name!r} is left out: upload the file as a case document")
            return
        if name in self.properties:
            return
        prop = self.field_type(el, name, kind)
        if prop is None:
            return
        prop = {"title": _label(el, root) or name, **prop, "x-default-from": name}
        readonly = el.get("readonly") is not None or el.get("disabled") is not None
        if readonly:
            prop["readOnly"] = True
            if not kind and name not in self.known_types:
                prop.pop("type", None)  # shown as it is, whatever its type
        elif el.get("required") is not None or el.get("type") == "checkbox" or _always_chosen(el):
            self.required.append(name)
            if _always_chosen(el):  # the browser submits the first option unless another is chosen
                prop["default"] = prop["oneOf"][0]["const"]
        self.properties[name] = prop

    def field_type(self, el, name: str, kind: str) -> dict | None:
        if el.tag == "select":
            options = [(o.get("value") if o.get("value") is not None else _text(o), _text(o))
                       for o in el.iter("option")]
            one_of = [{"const": value, "title": title or value} for value, title in options if value]
            if el.get("multiple") is not None:
                return {"type": "array", "uniqueItems": True, "items": {"type": "string", "oneOf": one_of}}
            return {"type": "string", "oneOf": one_of}
        if el.get("type") == "checkbox" and kind in ("", "boolean"):
            return {"type": "boolean", "default": False}
        kind = kind or self.known_types.get(name, "")
        if kind and kind not in _TYPES:
            self.note(f"field {name!r} has type {kind!r}; Lotsen reads "
                      f"{', '.join(t.title() for t in _TYPES)}", error=True)
            return None
        prop = dict(_TYPES.get(kind or "string"))
        if el.tag == "textarea":
            prop["x-widget"] = "textarea"
        if el.get("type") == "date" and not kind:
            prop["format"] = "date"
        return prop


def html_schema(source: str, text: str, known_types: dict[str, str]) -> tuple[dict, Notes]:
    """The JSON Schema of a Camunda 7 embedded HTML form."""
    form = _HtmlForm(source, known_types)
    try:
        schema = form.convert(text)
    except (etree.ParserError, ValueError) as exc:
        return {}, [(f"{source}: cannot be read as HTML ({exc})", True)]
    if not schema["properties"] and not form.notes:
        form.note("has no field with cam-variable-name")
    return schema, form.notes


# ------------------------------------------------------------------ Camunda 8 form-js


_STATIC = {"text", "html", "image", "spacer", "separator", "button", "iframe", "table", "documentPreview"}
_CHOICES = {"radio", "select"}
_MULTI = {"checklist", "taglist"}


class _FormJs:
    def __init__(self, source: str):
        self.source = source
        self.properties: dict = {}
        self.required: list[str] = []
        self.notes: Notes = []

    def note(self, message: str, error: bool = False) -> None:
        self.notes.append((f"{self.source}: {message}", error))

    def components(self, items: list) -> None:
        for component in items or []:
            if not isinstance(component, dict):
                continue
            kind = component.get("type")
            if kind in ("group", "dynamiclist"):
                if kind == "dynamiclist" or component.get("path"):
                    self.note(f"{kind} {component.get('label') or component.get('id')!r} (a nested list or object) "
                              "cannot be a Lotsen form field; use plain fields", error=True)
                    continue
                self.components(component.get("components"))
            elif kind not in _STATIC:
                self.field(component, kind)

    def field(self, component: dict, kind: str) -> None:
        key = component.get("key") or ""
        if not NAME.match(key):
            self.note(f"field {key or component.get('id')!r} needs a plain variable name as its key", error=True)
            return
        prop = self.field_type(component, kind, key)
        if prop is None:
            return
        validate = component.get("validate") or {}
        prop = {"title": component.get("label") or key, **prop, "x-default-from": key}
        for source, target in (("minLength", "minLength"), ("maxLength", "maxLength"), ("min", "minimum"),
                               ("max", "maximum"), ("pattern", "pattern")):
            if validate.get(source) not in (None, ""):
                prop[target] = validate[source]
        if component.get("defaultValue") is not None:
            prop["default"] = component["defaultValue"]
        if component.get("description"):
            prop["description"] = component["description"]
        if component.get("readonly") is True or component.get("disabled") is True:
            prop["readOnly"] = True
        elif validate.get("required"):
            self.required.append(key)
        if component.get("conditional"):
            self.note(f"field {key!r}: its condition (hide when …) is not applied; the field is always shown")
        self.properties[key] = prop

    def field_type(self, component: dict, kind: str, key: str) -> dict | None:
        if kind in ("textfield", "textarea"):
            return {"type": "string", **({"x-widget": "textarea"} if kind == "textarea" else {})}
        if kind == "number":
            return {"type": "integer" if component.get("decimalDigits") == 0 else "number"}
        if kind == "checkbox":
            return {"type": "boolean"}
        if kind == "datetime":
            subtype = component.get("subtype") or "date"
            return {"type": "string", "format": {"date": "date", "datetime": "date-time"}.get(subtype, "time")}
        if kind in _CHOICES | _MULTI:
            values = component.get("values")
            if not isinstance(values, list):
                self.note(f"field {key!r} takes its options from a variable (valuesKey/valuesExpression); list them "
                          "in the form instead", error=True)
                return None
            one_of = [{"const": v.get("value"), "title": v.get("label") or str(v.get("value"))}
                      for v in values if isinstance(v, dict) and "value" in v]
            if kind in _MULTI:
                return {"type": "array", "uniqueItems": True, "items": {"type": "string", "oneOf": one_of}}
            return {"type": "string", "oneOf": one_of}
        self.note(f"field {key!r} of type {kind!r} is not a form field Lotsen knows", error=True)
        return None


def formjs_schema(source: str, text: str | dict) -> tuple[dict, Notes]:
    """The JSON Schema of a Camunda 8 form-js form (a ``.form`` file, or one embedded in the diagram)."""
    try:
        document = json.loads(text) if isinstance(text, str) else text
    except json.JSONDecodeError as exc:
        return {}, [(f"{source}: not valid JSON ({exc.msg}, line {exc.lineno})", True)]
    if not isinstance(document, dict) or not isinstance(document.get("components"), list):
        return {}, [(f"{source}: not a form-js form (no \"components\" list)", True)]
    form = _FormJs(source)
    form.components(document["components"])
    return _schema(source, form.properties, form.required), form.notes


def formjs_id(text: str) -> str | None:
    """The ``id`` of a form-js file (Camunda 8 links a task to it by ``formId``)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return None
    return document.get("id") if isinstance(document, dict) else None
