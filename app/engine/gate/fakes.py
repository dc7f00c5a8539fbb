"""Fake handlers for the gate: each answers what its real handler declares it returns."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from app.clock import clock
from handlers.registry import Operation

#: How far ahead the fakes' times lie: timers wait until the gate fires them.
AHEAD = timedelta(days=30)


def _choices(kind: Any) -> list:
    """The values one declared output takes across the answers."""
    if isinstance(kind, (list, tuple)):
        return list(kind)
    if isinstance(kind, Mapping):
        return [None]  # nested: built by _example
    later = clock.now() + AHEAD
    examples = {"string": ["text"], "datetime": [later.replace(microsecond=0).isoformat()],
                "date": [later.date().isoformat()], "number": [0], "integer": [0], "boolean": [True, False],
                "list": [[]], "object": [{}], "null": [None]}
    return [value for part in kind.rstrip("?").split("|") for value in examples[part]]


def _example(kind: Any, pick: int) -> Any:
    if isinstance(kind, Mapping):
        return {k: _example(v, pick) for k, v in kind.items() if not _optional(v)}
    choices = _choices(kind)
    return choices[pick % len(choices)]


def _optional(kind: Any) -> bool:
    return isinstance(kind, str) and kind.endswith("?")


def answers(returns: Mapping | None) -> list[dict]:
    """The answers a fake gives: every key (each choice in turn), then without the optional keys."""
    if not returns:
        return [{}]
    rounds = max([len(_choices(k)) for k in returns.values()] + [1])
    found = [{key: _example(kind.rstrip("?") if _optional(kind) else kind, i) for key, kind in returns.items()}
             for i in range(rounds)]
    if any(_optional(k) for k in returns.values()):
        found.append({key: _example(kind, 0) for key, kind in returns.items() if not _optional(kind)})
    return found


class FakeOperations(Mapping):
    """Every operation name answers with its declaration's first answer; unknown names answer {}.

    (An unknown operation is reported by the file checks; the walk goes on past it.)
    """

    def __init__(self, operations: Mapping[str, Operation]):
        self.real = operations

    def variants(self, name: str) -> list[dict]:
        op = self.real.get(name)
        return answers(op.returns if op is not None else None)

    def __getitem__(self, name: str) -> Operation:
        first = self.variants(name)[0]
        op = self.real.get(name)
        return Operation(name=name, fn=lambda ctx, **params: dict(first),
                         required=op.required if op else frozenset(), optional=op.optional if op else frozenset())

    def get(self, name, default=None):
        return self[name]

    def __iter__(self):
        return iter(self.real)

    def __len__(self) -> int:
        return len(self.real)
