"""How the code hangs together: no import cycles, SpiffWorkflow only behind the engine façade, patches checked."""
from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.clock import clock
from app.config import PROJECT_ROOT
from app.engine import spiff_patches

PACKAGES = ("app", "handlers")
#: SpiffWorkflow's own vocabulary: a service that uses it walks engine internals.
SPIFF_ATTRIBUTES = {"task_specs", "task_spec", "bpmn_id", "serializer", "registry", "subprocess_specs",
                    "get_tasks", "do_engine_steps", "refresh_waiting_tasks", "event_definition", "internal_data"}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _imported(module: str, path: Path, node: ast.Import | ast.ImportFrom, modules: dict) -> set[str]:
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name in modules}
    if node.level:
        parts = module.split(".")
        package = parts if path.name == "__init__.py" else parts[:-1]
        base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    names = {f"{base}.{a.name}" for a in node.names}
    return {n if n in modules else base for n in names} & set(modules)


def import_graph() -> dict[str, set[str]]:
    """Which app and handler modules each one imports, anywhere in it (inside functions too)."""
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        graph[name] = set().union(*[_imported(name, path, n, modules) for n in ast.walk(tree)
                                    if isinstance(n, (ast.Import, ast.ImportFrom))]) - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (as a path that returns to its start), or None."""
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return trail[trail.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt, [*trail, nxt])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start, [start])):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_imports_itself_back_even_from_inside_a_function():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def _service_modules() -> list[Path]:
    return sorted((PROJECT_ROOT / "app" / "services").glob("*.py"))


@pytest.mark.parametrize("path", _service_modules(), ids=lambda p: p.name)
def test_services_reach_spiffworkflow_only_through_the_engine(path: Path):
    tree = ast.parse(path.read_text())
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    spiff = [ast.unparse(n) for n in imports
             if any(a.name.startswith("SpiffWorkflow") for a in n.names) if isinstance(n, ast.Import)]
    spiff += [ast.unparse(n) for n in imports if isinstance(n, ast.ImportFrom) and (n.module or "").startswith(
        "SpiffWorkflow")]
    internals = sorted({n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr in SPIFF_ATTRIBUTES})
    assert (spiff, internals) == ([], []), "ask app.engine (runtime, spec_facts, diff) instead"


def test_spiffworkflow_reads_lotsens_clock():
    clock.set(datetime(2031, 5, 4, 12, 0, tzinfo=UTC))
    from SpiffWorkflow import task as spiff_task_module
    from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer_module

    assert spiff_timer_module.datetime.now(UTC) == datetime(2031, 5, 4, 12, 0, tzinfo=UTC)
    assert spiff_task_module.time.time() == datetime(2031, 5, 4, 12, 0, tzinfo=UTC).timestamp()


def test_the_patches_refuse_an_unchecked_spiffworkflow_version():
    spiff_patches.check_version(spiff_patches.CHECKED_VERSION)
    with pytest.raises(spiff_patches.UnsupportedSpiffWorkflow, match="checked against 3.2.0"):
        spiff_patches.check_version("3.3.0")


def test_the_installed_spiffworkflow_is_the_checked_one():
    """Fails loudly on an upgrade: re-check app/engine/spiff_patches.py, then raise CHECKED_VERSION."""
    from importlib import metadata

    assert metadata.version("SpiffWorkflow") == spiff_patches.CHECKED_VERSION


def _spiff_names(tree: ast.Module) -> set[str]:
    """Names a module binds to SpiffWorkflow modules or classes."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("SpiffWorkflow"):
            names |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.asname or a.name for a in node.names if a.name.startswith("SpiffWorkflow")}
    return names


def _root(node: ast.AST) -> str:
    while isinstance(node, ast.Attribute):
        node = node.value
    return getattr(node, "id", "")


def _patches_in(source: str) -> list[str]:
    """Assignments to attributes of SpiffWorkflow modules or classes (``setattr`` or ``x.y = ...``)."""
    tree = ast.parse(source)
    spiff = _spiff_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setattr" and node.args:
            target = node.args[0]
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Attribute):
            target = node.targets[0].value
        else:
            continue
        if _root(target) in spiff:
            found.append(ast.unparse(node))
    return found


def test_the_patch_finder_sees_a_patch():
    assert _patches_in("from SpiffWorkflow import task as t\nt.time = object()\nsetattr(t, 'x', 1)\n") == [
        "t.time = object()", "setattr(t, 'x', 1)"]


def test_changes_to_spiffworkflow_itself_live_only_in_spiff_patches():
    patches = {str(path.relative_to(PROJECT_ROOT)): _patches_in(path.read_text())
               for path in sorted((PROJECT_ROOT / "app").rglob("*.py")) if path.name != "spiff_patches.py"}
    assert {k: v for k, v in patches.items() if v} == {}
