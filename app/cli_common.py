"""What every ``lotsen`` command shares: its runtime and how a refusal is reported."""
from __future__ import annotations

import sys
from contextlib import contextmanager

import click

from app.config import Settings
from app.runtime import Runtime, build_runtime
from app.services.errors import DomainError, InvalidInput


def runtime() -> Runtime:
    """The runtime the command works on (settings from LOTSEN_* variables); a database this Lotsen cannot use
    yet (missing, not upgraded) ends the command with one line saying what to do."""
    settings = Settings.from_env()
    require_schema(settings)
    return build_runtime(settings)


def require_schema(settings: Settings) -> None:
    """Exit 1 with what to do when the database is missing, unreachable or not upgraded."""
    from app.migrate import schema_problem

    problem = schema_problem(settings.database_url)
    if problem:
        fail(problem)


def fail(message: str) -> None:
    """Say what went wrong on stderr and exit 1."""
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@contextmanager
def domain_errors():
    """Report a service's domain error as one line and exit 1."""
    try:
        yield
    except InvalidInput as exc:
        fail("; ".join(f"{e['field']}: {e['message']}" for e in exc.errors))
    except DomainError as exc:
        fail(exc.message)
