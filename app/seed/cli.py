"""``lotsen seed --cases N``: the command line of the seed (see ``app.seed``)."""
from __future__ import annotations

import click


@click.command("seed")
@click.option("--cases", type=click.IntRange(min=1), required=True, help="how many cases to add")
@click.option("--years", type=click.FloatRange(min=0.1, max=20), default=2.0, show_default=True,
              help="arrivals spread over this many years up to now")
@click.option("--seed", "seed_value", type=int, default=1, show_default=True,
              help="random seed (same seed, same history)")
def seed_cases(cases: int, years: float, seed_value: int) -> None:
    """Add a realistic history of CASES building-permit cases (for dashboards and scale tests; see app/seed)."""
    from app import seed
    from app.cli_common import domain_errors as _domain_errors
    from app.cli_common import runtime as _runtime

    rt = _runtime()
    try:
        with _domain_errors(), click.progressbar(length=cases, label="seeding cases") as bar:
            done = seed.seed(rt, cases=cases, years=years, seed=seed_value, progress=bar.update)
    finally:
        rt.close()
    click.echo(f"{done.cases} cases ({done.open_cases} open), {done.tasks} tasks, {done.events} case events, "
               f"{done.audit_events} audit events, {done.survey_answers} survey answers in {done.seconds:.0f} s")
