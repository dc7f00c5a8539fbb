"""Lotsen's DMN: decision requirement graphs, FEEL unary tests, every hit policy.

``Decisions`` holds every decision of a deploy bundle's DMN files. It is
checked as a whole at deploy (each cell compiled in the sandbox, every
required decision present, no circles), and a business-rule task carries the
decisions it needs in its spec (see ``task``).
"""
from __future__ import annotations

from .evaluate import MAPPINGS, DecisionFailed, evaluate, map_result, variables
from .model import Decision, Issue, read_file

__all__ = ["MAPPINGS", "Decision", "DecisionFailed", "Decisions", "Issue", "evaluate", "map_result", "variables"]


class Decisions:
    """The decisions of a bundle by id."""

    def __init__(self) -> None:
        self.by_id: dict[str, Decision] = {}
        self._lines: dict[str, tuple[str, int | None]] = {}

    def __contains__(self, ident: str) -> bool:
        return ident in self.by_id

    def __getitem__(self, ident: str) -> Decision:
        return self.by_id[ident]

    def add_file(self, file: str, root) -> list[Issue]:
        """Read every decision of one DMN document; return what is wrong with it."""
        decisions, issues = read_file(file, root)
        lines = {el.get("id"): el.sourceline for el in root if isinstance(el.tag, str)}
        for decision in decisions:
            if decision.id in self.by_id:
                other = self.by_id[decision.id].file
                issues.append(Issue(file, lines.get(decision.id), decision.id,
                                    f"decision id {decision.id!r} is also used in {other}; decision ids must be "
                                    "unique across the bundle"))
                continue
            self.by_id[decision.id] = decision
            self._lines[decision.id] = (file, lines.get(decision.id))
        return issues

    def check(self) -> list[Issue]:
        """Every required decision exists and no decision requires itself, directly or not."""
        issues = []
        for decision in self.by_id.values():
            file, line = self._lines[decision.id]
            for required in decision.required:
                if required not in self.by_id:
                    issues.append(Issue(file, line, decision.id,
                                        f"decision {decision.id!r} requires decision {required!r}, which is not in "
                                        f"the bundle (decisions: {', '.join(sorted(self.by_id))})"))
            circle = self._circle(decision.id, ())
            if circle:
                issues.append(Issue(file, line, decision.id,
                                    f"decisions {' → '.join(circle)} require each other in a circle"))
        return issues

    def _circle(self, ident: str, trail: tuple[str, ...]) -> tuple[str, ...] | None:
        if ident in trail:
            return trail + (ident,) if trail[0] == ident else None
        decision = self.by_id.get(ident)
        for required in decision.required if decision else []:
            found = self._circle(required, trail + (ident,))
            if found:
                return found
        return None

    def closure(self, ident: str) -> dict[str, Decision]:
        """Decision ``ident`` and every decision it requires, directly or not."""
        found: dict[str, Decision] = {}
        pending = [ident]
        while pending:
            current = pending.pop()
            if current in found or current not in self.by_id:
                continue
            found[current] = self.by_id[current]
            pending.extend(found[current].required)
        return found
