"""JSON-Schema forms: defaults from case data, validation, HTML input coercion."""
from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from .errors import InvalidInput

_FORMATS = FormatChecker()


def lookup(data: Mapping, dotted: str) -> Any:
    """``data['a']['b']`` for ``'a.b'``; None when any part is missing."""
    current: Any = data
    for part in dotted.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return None
        current = current[part]
    return current


def defaults_from(schema: Mapping | None, data: Mapping) -> dict:
    """The form's default values: ``x-default-from`` data wins over static ``default``."""
    out: dict = {}
    for name, prop in ((schema or {}).get("properties") or {}).items():
        source = prop.get("x-default-from")
        value = lookup(data, source) if source else None
        if value is None and "default" in prop:
            value = copy.deepcopy(prop["default"])
        if value is not None:
            out[name] = value
    return out


def with_defaults(schema: Mapping, defaults: Mapping) -> dict:
    """A copy of ``schema`` whose properties carry ``default`` = the computed defaults."""
    result = copy.deepcopy(dict(schema))
    for name, value in defaults.items():
        if name in result.get("properties", {}):
            result["properties"][name]["default"] = value
    return result


def _field_of(error) -> str:
    if error.validator == "required":
        return error.message.split("'")[1]
    if error.validator == "additionalProperties":
        extra = [p for p in error.instance if p not in error.schema.get("properties", {})]
        return extra[0] if extra else "(form)"
    return ".".join(str(p) for p in error.absolute_path) or "(form)"


def N_(message: str) -> str:  # the conventional gettext marker
    """Mark a message for translation; the web layer translates it when shown."""
    return message


_FORMAT_MESSAGES = {
    "email": N_("must be a valid e-mail address"),
    "date": N_("must be a date (YYYY-MM-DD)"),
}


def _message_of(error) -> str:
    if error.validator == "required":
        return N_("is required")
    if error.validator == "additionalProperties":
        return N_("is not a field of this form")
    if error.validator == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        if "boolean" in expected:
            return N_("must be yes or no (a boolean)")
        if "number" in expected or "integer" in expected:
            return N_("must be a number")
        return f"must be of type {' or '.join(expected)}"
    if error.validator == "format":
        return _FORMAT_MESSAGES.get(error.validator_value, error.message)
    if error.validator in {"minimum", "exclusiveMinimum"}:
        return f"must be at least {error.validator_value} (minimum)"
    if error.validator == "minLength":
        return N_("is required")
    if error.validator in {"oneOf", "enum"}:
        allowed = [o.get("const") for o in error.schema.get("oneOf", [])] or error.schema.get("enum", [])
        return f"must be one of: {', '.join(str(a) for a in allowed)}" if allowed else error.message
    return error.message


def validator_for(schema: Mapping) -> Draft202012Validator:
    """The compiled validator of ``schema``, for a caller that checks many submissions of one form."""
    return Draft202012Validator(schema, format_checker=_FORMATS)


def validate(schema: Mapping, data: Any, validator: Draft202012Validator | None = None) -> dict:
    """Return ``data`` if it fits ``schema``; else raise ``InvalidInput`` with one error per field.

    Read-only fields only show case data: a value sent for one is left out, never stored.
    ``validator`` is ``validator_for(schema)`` when the caller keeps one.
    """
    if not isinstance(data, Mapping):
        raise InvalidInput([{"field": "(form)", "message": "must be a JSON object"}])
    read_only = {name for name, prop in (schema.get("properties") or {}).items() if prop.get("readOnly")}
    data = {k: v for k, v in data.items() if k not in read_only}
    validator = validator or validator_for(schema)
    errors: dict[str, str] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), str(e.absolute_path))):
        errors.setdefault(_field_of(error), _message_of(error))
    if errors:
        raise InvalidInput([{"field": f, "message": m} for f, m in errors.items()])
    return dict(data)


def _types(prop: Mapping) -> list[str]:
    t = prop.get("type", "string")
    return t if isinstance(t, list) else [t]


def coerce_html(schema: Mapping, form: Mapping[str, list[str]]) -> dict:
    """Turn posted HTML form values (name -> list of strings) into typed JSON."""
    out: dict = {}
    for name, prop in (schema.get("properties") or {}).items():
        values = [v for v in form.get(name, []) if v is not None]
        value = _coerce_field(_types(prop), values, _types(prop.get("items") or {}))
        if value is not _ABSENT:
            out[name] = value
    return out


_ABSENT = object()  # the field stays out of the JSON


def _coerce_field(types: list[str], values: list[str], item_types: list[str]):
    if "boolean" in types:
        return _coerce_boolean(types, values)
    if "array" in types:
        items = [v for v in values if v != ""]
        if "integer" in item_types:  # chosen ids (e.g. documents): whole numbers, else validation names the field
            return [int(v) if v.strip().lstrip("-").isdigit() else v for v in items]
        return items
    raw = values[-1].strip() if values else ""
    if raw == "":
        return None if "null" in types else _ABSENT
    if "integer" in types or "number" in types:
        return _coerce_number(types, raw)
    return raw


def _coerce_boolean(types: list[str], values: list[str]):
    # Yes/No are radio buttons: an unanswered question is missing, not "No".
    if values and values[-1] in {"true", "false"}:
        return values[-1] == "true"
    if values and values[-1] in {"on", "1"}:
        return True
    return None if "null" in types else _ABSENT


def _coerce_number(types: list[str], raw: str):
    try:
        number = float(raw.replace(",", "."))
    except ValueError:
        return raw  # validation names the field
    if not math.isfinite(number):
        return raw  # "inf", "nan", "1e999": no number a person means, and none JSON can store
    return int(number) if "integer" in types and number.is_integer() else number


def normalise(schema: Mapping, data: Mapping) -> dict:
    """Every declared property present: absent optional fields become None."""
    out = dict(data)
    for name in (schema.get("properties") or {}):
        out.setdefault(name, None)
    return out


def label(prop: Mapping, locale: str) -> str:
    return prop.get(f"x-title-{locale}") or prop.get("title") or ""


def options(prop: Mapping, locale: str) -> list[tuple[str, str]]:
    """(value, label) pairs of an enum property or of an array of enums."""
    source = prop.get("items", prop) if "array" in _types(prop) else prop
    if "oneOf" in source:
        return [(o["const"], o.get(f"x-title-{locale}") or o.get("title") or str(o["const"]))
                for o in source["oneOf"] if "const" in o]
    return [(v, str(v)) for v in source.get("enum", [])]
