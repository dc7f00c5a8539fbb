"""``lotsen insight``: the dashboard's figures and exports from the command line."""
from __future__ import annotations

import click


@click.group()
def insight() -> None:
    """Handling-time figures: rebuild the projection, print the summary."""


def backfill(rt) -> int:
    """Compute the figures of every case that has none yet (cases from before the projection existed)."""
    from app.services.insight import figures

    total = 0
    while True:
        with rt.db.unit_of_work() as session:
            ids = figures.missing(session, limit=500)
            if not ids:
                return total
            total += figures.refresh_many(session, ids)


@insight.command("rebuild")
@click.option("--all", "everything", is_flag=True, help="recompute every case, not only those without figures")
def insight_rebuild(everything: bool) -> None:
    """Fill the dashboard's per-case figures from the cases' recorded events."""
    from sqlalchemy import select

    from app.cli_common import runtime as _runtime
    from app.models import Case
    from app.services.insight import figures

    rt = _runtime()
    if everything:
        with rt.db.unit_of_work(write=False) as session:
            ids = list(session.scalars(select(Case.id).order_by(Case.id)))
        for start in range(0, len(ids), 500):
            with rt.db.unit_of_work() as session:
                figures.refresh_many(session, ids[start:start + 500])
        click.echo(f"figures recomputed for {len(ids)} case(s)")
        return
    click.echo(f"figures computed for {backfill(rt)} case(s) that had none")
