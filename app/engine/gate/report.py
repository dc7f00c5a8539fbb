"""What the deploy gate found: problems (errors refuse the deploy, warnings do not) and coverage."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem, where it is and, for a walked path, the elements that led to it."""

    message: str
    element: str | None = None
    file: str | None = None
    line: int | None = None
    severity: str = ERROR
    #: What found it: "check" (reading the files), "path" (walking), "names", "reachability",
    #: "unit_test", "group", "labels".
    kind: str = "check"
    #: Element ids in the order the walk completed them, ending at ``element``.
    path: tuple[str, ...] = ()
    #: What the message says, as values, so a reader's language can word it again (``app.web.gate_words``).
    args: Mapping | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["path"] = list(self.path)
        d["args"] = dict(self.args) if self.args else None
        return d


@dataclass
class Coverage:
    """How much of one process the walk saw."""

    process: str
    paths: int = 0
    completed_paths: int = 0
    steps: int = 0
    elements_total: int = 0
    elements_reached: list[str] = field(default_factory=list)
    not_reached: list[str] = field(default_factory=list)
    branches_total: int = 0
    branches_not_taken: list[dict] = field(default_factory=list)
    #: True when every path was followed to its end within the limits.
    complete: bool = True
    #: Why the walk stopped early ("paths", "steps"), or None.
    stopped_by: str | None = None
    limits: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class GateReport:
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    unit_tests: dict = field(default_factory=lambda: {"run": 0, "failed": 0})
    seconds: float = 0.0

    @property
    def verdict(self) -> str:
        if self.errors:
            return "refused"
        return "passed_with_warnings" if self.warnings else "passed"

    @property
    def complete(self) -> bool:
        return all(c.complete for c in self.coverage)

    def only(self, process: str, files) -> GateReport:
        """The part of the report that is about one process whose version keeps ``files``: its coverage, and
        the findings in its files (a bundle of several processes is walked once; each version keeps its own)."""
        def about(f: Finding) -> bool:
            if f.kind == "coverage":
                return (f.args or {}).get("process") == process
            return f.file is None or f.file in files

        return GateReport(errors=[f for f in self.errors if about(f)], warnings=[f for f in self.warnings if about(f)],
                          coverage=[c for c in self.coverage if c.process == process] or list(self.coverage),
                          unit_tests=self.unit_tests, seconds=self.seconds)

    def summary(self) -> str:
        """One plain sentence on what was walked (English; the web layer words it per language)."""
        parts = []
        for c in self.coverage:
            note = "" if c.complete else f" (stopped at the {c.stopped_by} limit: not every path was walked)"
            parts.append(f"{c.process}: {c.paths} paths, {len(c.elements_reached)} of {c.elements_total} "
                         f"elements reached{note}")
        return "; ".join(parts)

    def to_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "complete": self.complete,
            "summary": self.summary(),
            "errors": [f.to_dict() for f in self.errors],
            "warnings": [f.to_dict() for f in self.warnings],
            "coverage": [c.to_dict() for c in self.coverage],
            "unit_tests": dict(self.unit_tests),
            "seconds": round(self.seconds, 3),
        }
