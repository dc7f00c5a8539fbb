"""Form submissions generated from a JSON Schema, so that together they take every choice.

Variant 0 is what a hurried user sends: the pre-filled defaults and the required
fields, nothing else. The others fill every field, taking each enum value and
each boolean both ways in turn. Every variant is valid against the schema
(``if``/``then`` requirements included) or it is left out.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from app.clock import clock

_FORMATS = FormatChecker()
_MAX_FIXES = 6


def _types(prop: Mapping) -> list[str]:
    t = prop.get("type", "string")
    return t if isinstance(t, list) else [t]


def _enum(prop: Mapping) -> list | None:
    if "const" in prop:
        return [prop["const"]]
    if "oneOf" in prop and all(isinstance(o, Mapping) and "const" in o for o in prop["oneOf"]):
        return [o["const"] for o in prop["oneOf"]]
    if "anyOf" in prop and all(isinstance(o, Mapping) and "const" in o for o in prop["anyOf"]):
        return [o["const"] for o in prop["anyOf"]]
    if "enum" in prop:
        return list(prop["enum"])
    return None


def _string(prop: Mapping) -> str:
    fmt = prop.get("format")
    later = clock.now() + timedelta(days=30)  # dates users enter lie ahead (reply dates, meetings)
    if fmt == "date":
        return later.date().isoformat()
    if fmt == "date-time":
        return later.replace(microsecond=0).isoformat()
    if fmt == "email":
        return "applicant@example.se"
    text = "Text"
    low, high = int(prop.get("minLength", 0)), prop.get("maxLength")
    text = text.ljust(low, "x")
    return text[:int(high)] if high is not None else text


def _number(prop: Mapping, integer: bool) -> int | float:
    low = prop.get("minimum", prop.get("exclusiveMinimum"))
    value = 1 if low is None else low + (1 if "exclusiveMinimum" in prop else 0)
    high = prop.get("maximum")
    if high is not None and value > high:
        value = high
    return int(value) if integer else value


def choices(prop: Mapping) -> list:
    """The values one field takes across the variants (each enum value, booleans both ways)."""
    values = _enum(prop)
    if values is not None:
        return values
    types = [t for t in _types(prop) if t != "null"] or ["null"]
    kind = types[0]
    if kind == "array":
        items = prop.get("items") if isinstance(prop.get("items"), Mapping) else {}
        return [[v] for v in choices(items)] or [[]]
    if kind == "boolean":
        return [True, False]
    if kind in ("number", "integer"):
        return [_number(prop, kind == "integer")]
    if kind == "object":
        return [{}]
    if kind == "null":
        return [None]
    return [_string(prop)]


def _first_valid(prop: Mapping, value: Any) -> Any:
    return value if value is not None else choices(prop)[0]


def _repair(error, schema: Mapping, data: dict) -> None:
    """Change ``data`` so that it no longer has ``error``: fill a missing field, try another value, or drop it."""
    props = schema.get("properties") or {}
    if error.validator == "required":
        for name in error.validator_value:
            if name not in data and name in props:
                data[name] = choices(props[name])[0]
        return
    field = error.absolute_path[0] if error.absolute_path else None
    if field not in props:
        if field is not None:
            data.pop(field, None)  # not a field of this form
        return
    options = [v for v in choices(props[field]) if v != data.get(field)]
    if options:
        data[field] = options[0]
    elif field not in (schema.get("required") or []):
        data.pop(field, None)


def _fix(schema: Mapping, data: dict) -> dict | None:
    """Make ``data`` valid against ``schema`` by filling or changing fields; None if it cannot be."""
    validator = Draft202012Validator(schema, format_checker=_FORMATS)
    for _ in range(_MAX_FIXES):
        errors = list(validator.iter_errors(data))
        if not errors:
            return data
        for error in errors:
            _repair(error, schema, data)
    return data if not list(validator.iter_errors(data)) else None


def variants(schema: Mapping | None, defaults: Mapping) -> list[dict]:
    """Submissions of the form ``schema`` whose values, together, cover every choice of every field.

    ``defaults`` are the values the form is pre-filled with (from the case data).
    """
    if not schema:
        return [{}]
    props = {k: v for k, v in (schema.get("properties") or {}).items() if isinstance(v, Mapping)}
    required = set(schema.get("required") or [])
    first = {name: _first_valid(prop, defaults.get(name)) for name, prop in props.items()
             if name in required or defaults.get(name) is not None}
    found = [first]
    rounds = max([len(choices(p)) for p in props.values()] + [1])
    for i in range(rounds):
        found.append({name: choices(prop)[i % len(choices(prop))] for name, prop in props.items()})
    unique: dict[str, dict] = {}
    for candidate in found:
        fixed = _fix(schema, dict(candidate))
        if fixed is not None:
            unique.setdefault(json.dumps(fixed, sort_keys=True, default=str), fixed)
    return list(unique.values())
