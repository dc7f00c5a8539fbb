"""The Alembic migrations build the schema the models describe; the CLI works."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from app.cli import main
from app.migrate import upgrade
from app.models import Base


def test_migrations_match_the_models(settings, rt):
    engine = create_engine(settings.database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        engine.dispose()
        import os
        os.remove(settings.database_url.removeprefix("sqlite:///"))
        engine = create_engine(settings.database_url)
    upgrade(settings.database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_cli_creates_users_tokens_and_deploys(tmp_path, monkeypatch, settings, rt):
    monkeypatch.setenv("LOTSEN_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LOTSEN_INSTANCE_DIR", str(tmp_path / "cli-instance"))
    runner = CliRunner()
    result = runner.invoke(main, ["users", "add", "greta", "--group", "officer"], input="")
    assert result.exit_code == 0 and "password:" in result.output
    result = runner.invoke(main, ["users", "add", "hugo", "--group", "officer", "--role", "manager"],
                           input="a-long-password\n")
    assert result.exit_code == 0 and "password:" not in result.output
    result = runner.invoke(main, ["users", "add", "ivan", "--role", "wizard"], input="a-long-password\n")
    assert result.exit_code == 1 and "unknown role wizard" in result.output
    result = runner.invoke(main, ["users", "add", "jon", "--role", "officer"], input="a-long-password\n")
    assert result.exit_code == 1 and "officer is a group, not a role" in result.output
    result = runner.invoke(main, ["users", "token", "greta"])
    assert result.exit_code == 0 and result.output.strip().startswith("lotsen_")
    result = runner.invoke(main, ["users", "token", "nobody"])
    assert result.exit_code == 1 and "no user named 'nobody'" in result.output
    result = runner.invoke(main, ["processes", "deploy"])
    assert result.exit_code == 0 and "building_permit: version 1" in result.output  # unchanged: not redeployed


def test_cli_deploy_reports_each_problem_and_deploys_nothing(tmp_path, monkeypatch, settings, rt):
    from tests.bundles import mini_bundle

    folder = tmp_path / "broken"
    (folder / "forms").mkdir(parents=True)
    (folder / "letters").mkdir(parents=True)
    for name, content in mini_bundle(script="import os").items():
        (folder / name).write_text(content)
    monkeypatch.setenv("LOTSEN_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LOTSEN_INSTANCE_DIR", settings.instance_dir)
    result = CliRunner().invoke(main, ["processes", "deploy", str(folder)])
    assert result.exit_code == 1
    assert "mini.bpmn:" in result.output and "[compute]" in result.output and "imports are not allowed" in result.output
    assert "nothing deployed" in result.output


def test_roles_that_were_groups_become_memberships_on_upgrade(settings, rt):
    engine = create_engine(settings.database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        engine.dispose()
        import os
        os.remove(settings.database_url.removeprefix("sqlite:///"))
        engine = create_engine(settings.database_url)
    upgrade(settings.database_url, "0005_audit_checkpoints")
    with engine.begin() as conn:
        for name, roles in [("olga", "admin,officer"), ("rita", "referee"), ("anna", "applicant")]:
            conn.execute(text("INSERT INTO user_account (username, display_name, password_hash, roles_csv, created_at)"
                              " VALUES (:n, :n, 'x', :r, CURRENT_TIMESTAMP)"), {"n": name, "r": roles})
    upgrade(settings.database_url)
    with engine.connect() as conn:
        roles = dict(conn.execute(text("SELECT username, roles_csv FROM user_account")).all())
        members = set(conn.execute(text(
            "SELECT u.username, g.name FROM group_membership m JOIN user_account u ON u.id = m.user_id "
            "JOIN work_group g ON g.id = m.group_id")).all())
        groups = {row[0] for row in conn.execute(text("SELECT name FROM work_group"))}
    engine.dispose()
    assert roles == {"olga": "admin", "rita": "", "anna": "applicant"}
    assert members == {("olga", "officer"), ("rita", "referee")}
    assert groups == {"coordinator", "officer", "committee", "referee"}


def test_every_revision_id_fits_the_alembic_version_column():
    """PostgreSQL keeps the revision id in ``alembic_version.version_num``, a varchar(32): a longer id makes
    the upgrade fail there (SQLite does not check lengths, so only this test notices it there)."""
    from pathlib import Path

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parents[1] / "migrations"))
    too_long = [r.revision for r in ScriptDirectory.from_config(config).walk_revisions() if len(r.revision) > 32]
    assert too_long == []


def test_the_demo_set_up_creates_the_referral_departments_and_puts_people_in_them(tmp_path, monkeypatch):
    """`make run` calls `lotsen users demo` on a new database: miljö, trafik, VA and kulturmiljö are referral
    departments with members, beside the standard groups."""
    monkeypatch.setenv("LOTSEN_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    monkeypatch.setenv("LOTSEN_INSTANCE_DIR", str(tmp_path / "fresh-instance"))
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(main, ["users", "demo"])
    assert result.exit_code == 0, result.output
    listed = {line.split()[0]: line for line in runner.invoke(main, ["groups", "list"]).output.splitlines()}
    departments = {name for name, line in listed.items() if "[referral department]" in line}
    assert departments == {"miljo", "trafik", "va", "kulturmiljo"}
    assert listed["miljo"].endswith(": rita.referee") and listed["va"].endswith(": tore.trafik")
    assert {"coordinator", "officer", "committee"} <= set(listed) - departments
