"""Run Alembic migrations from code (``lotsen db upgrade``)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from app.config import PROJECT_ROOT


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def revision(url: str, message: str) -> None:
    command.revision(alembic_config(url), message=message, autogenerate=True)


def schema_problem(url: str) -> str | None:
    """Why this Lotsen cannot work on the database at ``url`` yet, naming what to do (None: it can).

    A database nobody upgraded (no tables, or an older schema revision) and one that cannot be reached are
    refused before any command touches them, so a person reads one line instead of a traceback. A schema made
    without Alembic (the tests' ``create_all``) is taken as it is.
    """
    shown = make_url(url).render_as_string(hide_password=True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") \
            and not Path(parsed.database).exists():
        return f"the database {shown} does not exist yet: create it with `lotsen db upgrade`"
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            has_tables = inspect(conn).has_table("process_version")
    except DBAPIError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0] if str(exc.orig or exc).strip() else type(exc).__name__
        return f"cannot open the database {shown} ({reason}); check LOTSEN_DATABASE_URL"
    finally:
        engine.dispose()
    if current is None:
        return None if has_tables else f"the database {shown} has no tables yet: run `lotsen db upgrade`"
    return _revision_problem(url, shown, current)


def _revision_problem(url: str, shown: str, current: str) -> str | None:
    scripts = ScriptDirectory.from_config(alembic_config(url))
    heads = scripts.get_heads()
    if current in heads:
        return None
    try:
        scripts.get_revision(current)
    except CommandError:
        return (f"the database {shown} has schema revision {current}, which this Lotsen does not know "
                "(a newer Lotsen upgraded it): run that version, or restore a backup")
    return (f"the database {shown} is at schema revision {current}; this Lotsen needs {', '.join(heads)}: "
            "run `lotsen db upgrade`")
