"""``lotsen workers``: credentials for integration workers (external tasks)."""
from __future__ import annotations

import click

from app.cli_common import domain_errors, runtime


@click.group()
def workers() -> None:
    """Integration workers: tokens for /api/external-tasks."""


@workers.command("add")
@click.argument("name")
@click.option("--topic", "topics", multiple=True, help="a topic it may fetch (repeat; none: every topic)")
def workers_add(name: str, topics: tuple[str, ...]) -> None:
    """Issue a worker token for NAME and print it (it is shown only now)."""
    from app.services import workers as worker_service

    rt = runtime()
    with domain_errors(), rt.db.unit_of_work() as session:
        _, token = worker_service.issue(session, name=name, topics=list(topics), actor=None)
    click.echo(token)


@workers.command("list")
def workers_list() -> None:
    """Every worker credential with its topics."""
    from sqlalchemy import select

    from app.models import WorkerCredential

    rt = runtime()
    with rt.db.unit_of_work(write=False) as session:
        for w in session.scalars(select(WorkerCredential).order_by(WorkerCredential.name)):
            state = f"revoked {w.revoked_at:%Y-%m-%d}" if w.revoked_at else "active"
            click.echo(f"{w.name}  {state}  topics: {', '.join(w.topics) or 'all'}")


@workers.command("revoke")
@click.argument("name")
def workers_revoke(name: str) -> None:
    """Revoke NAME's token: its calls stop working, its locks run out."""
    from app.services import workers as worker_service

    rt = runtime()
    with domain_errors(), rt.db.unit_of_work() as session:
        worker_service.revoke(session, name=name, actor=None)
    click.echo(f"revoked {name}")
