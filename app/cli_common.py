"""What every ``lotsen`` command shares: its runtime and how a refusal is reported."""
from __future__ import annotations

import sys
from contextlib import contextmanager

import click

from app.config import Settings
from app.runtime import Runtime, build_runtime
from app.services.errors import DomainError, InvalidInput


def runtime() -> Runtime:
    """The runtime the command works on (settings from LOTSEN_* variables)."""
    return build_runtime(Settings.from_env())


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
