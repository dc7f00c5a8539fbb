"""CSV exports: what a spreadsheet would run as a formula is shown as text."""
from __future__ import annotations

import ast
import csv
import io

import pytest

from app.config import PROJECT_ROOT
from app.services.csv_export import FORMULA_START, neutralise, to_csv
from tests.helpers import Api, Browser


@pytest.mark.parametrize("cell", ["=1+1", "+46 70 123", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
                                  "=HYPERLINK(\"http://evil.example\",\"click\")"])
def test_text_that_starts_like_a_formula_gets_an_apostrophe(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Anna", "BYGG 2026-000001", "a=b", "", 42, -3, 2.5, None])
def test_other_cells_are_kept_as_they_are(cell):
    assert neutralise(cell) == cell


def test_a_written_file_has_no_cell_a_spreadsheet_would_evaluate():
    text = to_csv(["name", "n"], [["=cmd|' /C calc'!A0", -1], ["@x", None], ["plain", 3]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["name", "n"], ["'=cmd|' /C calc'!A0", "-1"], ["'@x", ""], ["plain", "3"]]


def test_the_audit_export_neutralises_a_name_typed_as_a_formula(app, client, actors):
    Browser(app).login('=HYPERLINK("http://evil.example","click")', "wrong-password")
    r = Api(client, actors).as_("admin").get("/api/audit?action=auth.login_failed&format=csv")
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [row["actor"] for row in rows] == ["'=HYPERLINK(\"http://evil.example\",\"click\")"]
    assert not any(cell.startswith(FORMULA_START) for row in rows for cell in row.values())


def test_every_csv_export_goes_through_the_shared_writer():
    writers = []
    for path in (PROJECT_ROOT / "app").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module == "csv" or "csv" in names:
                writers.append(str(path.relative_to(PROJECT_ROOT)))
    assert writers == ["app/services/csv_export.py"], "write CSV with app.services.csv_export.to_csv"
