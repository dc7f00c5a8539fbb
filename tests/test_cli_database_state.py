"""`lotsen <command>` on a database it cannot use yet says what to do in one line, never a traceback."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from app.cli import main
from app.migrate import upgrade


@pytest.fixture
def database(tmp_path, monkeypatch):
    path = tmp_path / "lotsen.sqlite3"
    monkeypatch.setenv("LOTSEN_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("LOTSEN_INSTANCE_DIR", str(tmp_path / "instance"))
    return path


def _refused(args: list[str]) -> str:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    return result.output


@pytest.mark.parametrize("args", [["groups", "list"], ["users", "demo"], ["processes", "deploy"], ["timers", "run-due"],
                                  ["serve"]])
def test_a_command_on_a_database_that_does_not_exist_says_to_run_db_upgrade_and_creates_nothing(database, args):
    said = _refused(args)
    assert said.startswith("error: the database ") and "does not exist yet" in said
    assert "`lotsen db upgrade`" in said
    assert not database.exists()


def test_a_command_on_an_empty_database_says_to_run_db_upgrade(database):
    database.touch()
    said = _refused(["groups", "list"])
    assert "has no tables yet: run `lotsen db upgrade`" in said


def test_a_database_left_at_an_older_schema_is_named_and_works_after_the_upgrade(database):
    url = f"sqlite:///{database}"
    upgrade(url, "0005_audit_checkpoints")
    said = _refused(["groups", "list"])
    assert "is at schema revision 0005_audit_checkpoints; this Lotsen needs " in said
    assert said.rstrip().endswith("run `lotsen db upgrade`")
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0
    result = CliRunner().invoke(main, ["groups", "list"])
    assert result.exit_code == 0, result.output


def test_a_postgresql_database_that_does_not_exist_is_named_without_its_password(pg_url, monkeypatch):
    if not pg_url:
        pytest.skip("runs against PostgreSQL (LOTSEN_TEST_DATABASE_URL)")
    missing = make_url(pg_url).set(database="lotsen_no_such_database")
    monkeypatch.setenv("LOTSEN_DATABASE_URL", missing.render_as_string(hide_password=False))
    said = _refused(["groups", "list"])
    assert "cannot open the database " in said and "lotsen_no_such_database" in said
    assert "check LOTSEN_DATABASE_URL" in said
    if missing.password:
        assert f":{missing.password}@" not in said and ":***@" in said
