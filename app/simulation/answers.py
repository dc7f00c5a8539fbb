"""What simulated staff and applicants fill in: from history, else the form's suggestion, else any allowed value.

History keeps only what carries no personal data: yes/no, numbers, choices,
lists of choices, and dates as days after the task was done. Free text is
always invented ("Simulerad.").
"""
from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from app.services.errors import InvalidInput
from app.services.forms import defaults_from, validate, validator_for

TEXT = "Simulerad."
EMAIL = "simulerad@example.se"
#: A date in history is kept as {DAYS: n}: n days after the day the form was submitted.
DAYS = "$days_after"


def _choices(prop: Mapping) -> list:
    if prop.get("oneOf"):
        return [o.get("const") for o in prop["oneOf"] if isinstance(o, Mapping) and "const" in o]
    return list(prop.get("enum") or [])


def _type(prop: Mapping) -> str:
    types = prop.get("type", "string")
    types = [t for t in (types if isinstance(types, list) else [types]) if t != "null"]
    return types[0] if types else "string"


def invent(prop: Mapping, rng: random.Random, today: date) -> Any:
    """Any value the field allows, chosen uniformly where there is a choice."""
    choices = _choices(prop)
    if choices:
        return rng.choice(choices)
    kind = _type(prop)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "array":
        options = _choices(prop.get("items") or {})
        return rng.sample(options, rng.randint(0, min(2, len(options)))) if options else []
    if kind in ("integer", "number"):
        low, high = prop.get("minimum", 1), prop.get("maximum")
        return rng.randint(int(low), int(high)) if high is not None else low
    if prop.get("format") == "date":
        return (today + timedelta(days=21)).isoformat()
    if prop.get("format") == "email":
        return EMAIL
    return TEXT


def remembered(prop: Mapping, value: Any, submitted_on: date) -> Any:
    """A submitted value as history keeps it, or None when it is free text (possibly personal)."""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str) and prop.get("format") == "date":
        try:
            return {DAYS: (date.fromisoformat(value) - submitted_on).days}
        except ValueError:
            return None
    if isinstance(value, str) and value in _choices(prop):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value) and _choices(prop.get("items") or {}):
        return value
    return None


def _nullable(prop: Mapping) -> bool:
    types = prop.get("type")
    return isinstance(types, list) and "null" in types


def _from_history(value: Any, today: date) -> Any:
    if isinstance(value, Mapping) and DAYS in value:
        return (today + timedelta(days=max(1, int(value[DAYS])))).isoformat()
    return list(value) if isinstance(value, list) else value


#: Distinct answers a ``FormCheck`` remembers the verdict of.
REMEMBERED = 20_000


class FormCheck:
    """The form's own validation for many simulated submissions: compiled once, each distinct answer checked
    once (dates and choices repeat many times a day in a large simulation)."""

    def __init__(self, schema: Mapping):
        self.schema, self.validator = schema, validator_for(schema)
        self.read_only = {n for n, p in (schema.get("properties") or {}).items() if p.get("readOnly")}
        self.verdicts: dict[tuple, list | None] = {}

    def __call__(self, answer: dict) -> dict:
        """``answer`` as the form keeps it, or ``InvalidInput`` naming the fields it refuses."""
        key = _frozen(answer)
        errors = self.verdicts.get(key, False) if key is not None else False
        if errors is False:
            try:
                validate(self.schema, answer, self.validator)
                errors = None
            except InvalidInput as exc:
                errors = exc.errors
            if key is not None and len(self.verdicts) < REMEMBERED:
                self.verdicts[key] = errors
        if errors is not None:
            raise InvalidInput([dict(e) for e in errors])
        return {k: v for k, v in answer.items() if k not in self.read_only}


def _frozen(value: Any):
    """A hashable key that tells ``True`` from ``1`` and lists from text; None when the value has no such key."""
    if isinstance(value, Mapping):
        items = [(k, _frozen(v)) for k, v in value.items()]
        return None if any(v is None for _, v in items) else ("{}", tuple(sorted(items, key=lambda kv: str(kv[0]))))
    if isinstance(value, list | tuple):
        items = [_frozen(v) for v in value]
        return None if any(v is None for v in items) else ("[]", tuple(items))
    if value is None or isinstance(value, str | int | float | bool):
        return (type(value).__name__, value)
    return None


def generate(schema: Mapping, data: Mapping, history: Mapping[str, Sequence] | None, rng: random.Random,
             today: date, check: FormCheck | None = None, refused: Mapping | None = None) -> dict:
    """A valid submission of ``schema`` for a task whose case data is ``data``.

    ``check`` is the form's ``FormCheck`` when the caller keeps one. ``refused`` is the answer a step just
    refused: a person told so chooses otherwise where the form offers a choice (yes/no, one of a list)."""
    defaults = defaults_from(schema, data)
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    answer: dict = {}
    for name, prop in properties.items():
        if not isinstance(prop, Mapping) or prop.get("readOnly"):
            continue
        samples = (history or {}).get(name)
        if samples:
            value = _from_history(rng.choice(samples), today)
        elif name in defaults:
            value = defaults[name]
        elif name not in required and _nullable(prop):
            value = None  # an optional field people leave empty
        else:
            value = invent(prop, rng, today)
        if refused and name in refused and value == refused[name]:
            value = _otherwise(prop, value, rng)
        if value is not None:
            answer[name] = value
    return _repaired(schema, answer, rng, today, check or FormCheck(schema))


def _otherwise(prop: Mapping, value: Any, rng: random.Random) -> Any:
    """Another answer than ``value`` where the field offers one (yes/no, a choice); else ``value``."""
    if _type(prop) == "boolean" and isinstance(value, bool):
        return not value
    others = [c for c in _choices(prop) if c != value]
    return rng.choice(others) if others else value


def _repaired(schema: Mapping, answer: dict, rng: random.Random, today: date, check: FormCheck) -> dict:
    """Replace the values the form refuses with invented ones (a few rounds), then validate for real."""
    properties = schema.get("properties") or {}
    for _ in range(4):
        try:
            return check(answer)
        except InvalidInput as exc:
            for error in exc.errors:
                field = error["field"].split(".")[0]
                if field in properties:
                    answer[field] = invent(properties[field], rng, today)
                else:
                    answer.pop(field, None)
    return check(answer)
