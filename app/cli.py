"""The ``lotsen`` command: database, processes, users, timers, server, scheduler."""
from __future__ import annotations

import secrets
import sys

import click

from app.config import Settings
from app.runtime import Runtime, build_runtime


def _runtime() -> Runtime:
    return build_runtime(Settings.from_env())


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.group()
def main() -> None:
    """Lotsen: BPMN-driven case handling for building permits."""


# ---------------------------------------------------------------- db
@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration to LOTSEN_DATABASE_URL."""
    from app.migrate import upgrade

    settings = Settings.from_env()
    upgrade(settings.database_url)
    click.echo("database is up to date")


# ---------------------------------------------------------------- processes
@main.group()
def processes() -> None:
    """Deploy process models."""


@processes.command("deploy")
@click.argument("path", required=False)
@click.option("--message", "-m", default="deploy from the command line")
def processes_deploy(path: str | None, message: str) -> None:
    """Validate and deploy the diagrams, decisions and forms in PATH (default: processes/)."""
    from app.services.errors import DeployRejected
    from app.services.processes import deploy_directory

    rt = _runtime()
    try:
        with rt.db.unit_of_work() as session:
            versions = deploy_directory(session, path or rt.settings.processes_dir, message=message)
            for v in versions:
                click.echo(f"{v.model}: version {v.number} ({v.content_hash[:12]})")
    except DeployRejected as exc:
        for err in exc.errors:
            where = ":".join(str(p) for p in (err["file"], err["line"]) if p)
            elem = f" [{err['element']}]" if err["element"] else ""
            click.echo(f"{where or '(bundle)'}{elem}: {err['message']}", err=True)
        _fail(f"nothing deployed: {len(exc.errors)} problem(s)")


# ---------------------------------------------------------------- users
@main.group()
def users() -> None:
    """Local accounts and API tokens."""


@users.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, help="applicant, coordinator, officer, ...")
@click.option("--display-name", default=None)
@click.option("--email", default=None)
def users_add(name: str, roles: tuple[str, ...], display_name: str | None, email: str | None) -> None:
    """Create user NAME; the password is read from stdin, or generated and printed."""
    from app.services import users as user_service
    from app.services.errors import DomainError, InvalidInput

    password = "" if sys.stdin.isatty() else sys.stdin.read().strip()
    generated = not password
    password = password or secrets.token_urlsafe(12)
    rt = _runtime()
    try:
        with rt.db.unit_of_work() as session:
            user_service.create_user(session, username=name, roles=list(roles), password=password,
                                     display_name=display_name, email=email, actor="cli")
    except InvalidInput as exc:
        _fail("; ".join(f"{e['field']}: {e['message']}" for e in exc.errors))
    except DomainError as exc:
        _fail(exc.message)
    click.echo(f"created {name} ({', '.join(roles)})")
    if generated:
        click.echo(f"password: {password}")


@users.command("token")
@click.argument("name")
def users_token(name: str) -> None:
    """Print a new API Bearer token for NAME."""
    from app.services import users as user_service
    from app.services.errors import DomainError

    rt = _runtime()
    try:
        with rt.db.unit_of_work() as session:
            token = user_service.issue_token(session, user_service.find_user(session, name))
    except DomainError as exc:
        _fail(exc.message)
    click.echo(token)


@users.command("delete")
@click.argument("name")
def users_delete(name: str) -> None:
    """Delete NAME: sessions and tokens stop working."""
    from app.services import users as user_service
    from app.services.errors import DomainError

    rt = _runtime()
    try:
        with rt.db.unit_of_work() as session:
            user_service.delete_user(session, username=name, actor="cli")
    except DomainError as exc:
        _fail(exc.message)
    click.echo(f"deleted {name}")


@users.command("demo")
@click.option("--password", default="lotsen-demo", show_default=True)
def users_demo(password: str) -> None:
    """Create one demo user per role and print their names and passwords."""
    from app.services import users as user_service

    rt = _runtime()
    with rt.db.unit_of_work() as session:
        pairs = user_service.ensure_demo_users(session, password)
    click.echo("Demo users (password for all: %s):" % password)
    for username, role in pairs:
        click.echo(f"  {username:<18} {role}")


# ---------------------------------------------------------------- timers & outbox
@main.group()
def timers() -> None:
    """Waiting timers."""


@timers.command("list")
def timers_list() -> None:
    """Every waiting timer: due time, case, element."""
    from app.models import Case
    from app.services import timers as timer_service
    from app.web.filters import ZoneInfo

    rt = _runtime()
    tz = ZoneInfo(rt.settings.timezone)
    with rt.db.unit_of_work(write=False) as session:
        rows = timer_service.all_timers(session)
        if not rows:
            click.echo("no waiting timers")
        for t in rows:
            case = session.get(Case, t.case_id)
            click.echo(f"{t.due_at.astimezone(tz):%Y-%m-%d %H:%M %Z}  {case.reference or case.id}  {t.element_id}"
                       f"{'  (claimed)' if t.claimed_by else ''}")


@timers.command("run-due")
def timers_run_due() -> None:
    """Fire every timer that is due now."""
    from app.scheduler import run_due_timers

    click.echo(f"fired {run_due_timers(_runtime())} timer(s)")


@main.command("outbox")
def outbox_deliver() -> None:
    """Deliver pending e-mails now."""
    from app.scheduler import deliver_outbox

    click.echo(f"sent {deliver_outbox(_runtime())} message(s)")


# ---------------------------------------------------------------- serve
@main.command("serve")
@click.option("--with-scheduler/--without-scheduler", default=True, show_default=True)
def serve(with_scheduler: bool) -> None:
    """Serve the web app on LOTSEN_HOST:LOTSEN_PORT (default 127.0.0.1:5000)."""
    from waitress import serve as waitress_serve

    from app import create_app

    settings = Settings.from_env()
    rt = build_runtime(settings)
    app = create_app(settings, runtime=rt)
    if with_scheduler:
        from app.scheduler import start_background

        start_background(rt)
    click.echo(f"Lotsen listens on http://{settings.host}:{settings.port}/")
    waitress_serve(app, host=settings.host, port=settings.port, threads=8)


@main.command("scheduler")
def scheduler() -> None:
    """Run the scheduler in the foreground (timers and outbox)."""
    from app.scheduler import run_blocking

    run_blocking(_runtime())
