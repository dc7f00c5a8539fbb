"""The OpenAPI document declares what the server enforces: required fields and no unknown ones."""
from __future__ import annotations

import ast
import json
import re

import pytest

from app.api import OPENAPI
from app.config import PROJECT_ROOT

SPEC = json.loads(OPENAPI.read_text())


def _literal(node: ast.AST | None, constants: dict) -> tuple[str, ...] | None:
    if node is None:
        return None
    if isinstance(node, ast.Name):
        node = constants[node.id]
    return tuple(ast.literal_eval(node))


def _constants(tree: ast.Module) -> dict:
    return {t.id: a.value for a in tree.body if isinstance(a, ast.Assign) for t in a.targets if isinstance(t, ast.Name)}


def _enforced() -> list[tuple[str, str, tuple | None, tuple | None]]:
    """(method, OpenAPI path, required, allowed) of every API view that reads a JSON body with json_body()."""
    found = []
    for path in sorted((PROJECT_ROOT / "app" / "api").glob("*.py")):
        tree = ast.parse(path.read_text())
        constants = _constants(tree)
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            routes = [(d.func.attr, d.args[0].value) for d in fn.decorator_list
                      if isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.args
                      and isinstance(d.args[0], ast.Constant) and d.func.attr in ("get", "post", "patch", "delete")]
            calls = [c for c in ast.walk(fn) if isinstance(c, ast.Call) and getattr(c.func, "id", "") == "json_body"]
            for method, rule in routes:
                for call in calls:
                    kw = {k.arg: k.value for k in call.keywords}
                    found.append((method, re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule),
                                  _literal(kw.get("required"), constants), _literal(kw.get("allowed"), constants)))
    return found


def _body_schema(method: str, path: str) -> dict | None:
    spec_path = next((p for p in SPEC["paths"] if re.fullmatch(re.sub(r"\{[^}]+\}", r"\\{[^}]+\\}", path), p)), None)
    assert spec_path is not None, f"{path} is not in openapi.json"
    body = SPEC["paths"][spec_path][method].get("requestBody")
    if body is None:
        return None
    schema = body["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


@pytest.mark.parametrize(("method", "path", "required", "allowed"), _enforced(),
                         ids=lambda v: v if isinstance(v, str) else None)
def test_every_json_body_is_declared_as_the_server_checks_it(method, path, required, allowed):
    schema = _body_schema(method, path)
    if allowed == ():
        assert schema is None or schema.get("additionalProperties") is False and not schema.get("properties")
        return
    assert schema is not None, f"{method.upper()} {path} reads a JSON body but declares none"
    assert schema.get("additionalProperties") is False, "unknown fields are refused: say so"
    if allowed is not None:
        assert set(schema.get("properties", {})) == set(allowed)
    assert set(schema.get("required", [])) == set(required or ())


def test_the_contract_test_sees_the_views():
    assert len(_enforced()) >= 15
