"""The ``lotsen`` command: database, processes, users, timers, server, scheduler."""
from __future__ import annotations

import secrets
import sys

import click

from app.cli_common import domain_errors as _domain_errors
from app.cli_common import fail as _fail
from app.cli_common import require_schema
from app.cli_common import runtime as _runtime
from app.config import Settings
from app.ids import db_id
from app.runtime import build_runtime


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

    from app.cli_insight import backfill

    settings = Settings.from_env()
    upgrade(settings.database_url)
    rt = build_runtime(settings)
    try:
        filled = backfill(rt)
    finally:
        rt.close()
    click.echo("database is up to date" + (f"; dashboard figures computed for {filled} case(s)" if filled else ""))


# ---------------------------------------------------------------- processes
@main.group()
def processes() -> None:
    """Deploy process models."""


@processes.command("deploy")
@click.argument("path", required=False)
@click.option("--message", "-m", default="deploy from the command line")
def processes_deploy(path: str | None, message: str) -> None:
    """Check the diagrams, decisions and forms in PATH (default: processes/), walk every path, deploy."""
    from app.services.errors import DeployRejected
    from app.services.processes import deploy_directory

    rt = _runtime()
    try:
        with rt.db.unit_of_work() as session:
            versions = deploy_directory(session, path or rt.settings.processes_dir, message=message)
            for v in versions:
                click.echo(f"{v.model}: version {v.number} ({v.content_hash[:12]})")
            for w in (versions[0].warnings or []) if versions else []:
                click.echo(f"note: {_where(w)}: {w['message']}")
            for v in versions:  # each version keeps the gate's report on its own process
                gate = v.gate_report
                if gate:
                    click.echo(f"deploy gate: {gate['verdict'].replace('_', ' ')} — {gate['summary']}")
                    for w in gate["warnings"]:
                        click.echo(f"warning: {_where(w)}: {w['message']}")
    except DeployRejected as exc:
        for err in exc.errors:
            path_taken = f"\n    path: {' → '.join(err['path'])}" if err.get("path") else ""
            click.echo(f"{_where(err)}: {err['message']}{path_taken}", err=True)
        if exc.gate:
            click.echo(f"deploy gate: refused — {exc.gate['summary']}", err=True)
        _fail(f"nothing deployed: {len(exc.errors)} problem(s)")


def _where(problem: dict) -> str:
    where = ":".join(str(p) for p in (problem.get("file"), problem.get("line")) if p)
    element = f" [{problem['element']}]" if problem.get("element") else ""
    return f"{where or '(bundle)'}{element}"


# ---------------------------------------------------------------- users
@main.group()
def users() -> None:
    """Local accounts and API tokens."""


@users.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, help="a right: applicant, process_owner, admin, manager")
@click.option("--group", "groups", multiple=True, help="a work group: coordinator, officer, miljo, ...")
@click.option("--display-name", default=None)
@click.option("--email", default=None)
def users_add(name: str, roles: tuple[str, ...], groups: tuple[str, ...], display_name: str | None,
              email: str | None) -> None:
    """Create user NAME with roles and groups; the password is read from stdin, or generated and printed."""
    from app.services import users as user_service

    password = "" if sys.stdin.isatty() else sys.stdin.read().strip()
    generated = not password
    password = password or secrets.token_urlsafe(12)
    rt = _runtime()
    with _domain_errors(), rt.db.unit_of_work() as session:
        user_service.create_user(session, username=name, roles=list(roles), groups=list(groups), password=password,
                                 display_name=display_name, email=email, actor="cli")
    click.echo(f"created {name} ({', '.join(roles + groups)})")
    if generated:
        click.echo(f"password: {password}")


@users.command("token")
@click.argument("name")
def users_token(name: str) -> None:
    """Print a new API Bearer token for NAME."""
    from app.services import users as user_service

    rt = _runtime()
    with _domain_errors(), rt.db.unit_of_work() as session:
        token = user_service.issue_token(session, user_service.find_user(session, name))
    click.echo(token)


@users.command("delete")
@click.argument("name")
def users_delete(name: str) -> None:
    """Delete NAME: sessions and tokens stop working."""
    from app.services import users as user_service

    rt = _runtime()
    with _domain_errors(), rt.db.unit_of_work() as session:
        user_service.delete_user(session, username=name, actor="cli")
    click.echo(f"deleted {name}")


@users.command("password")
@click.argument("name")
def users_password(name: str) -> None:
    """Give NAME a new password (read from stdin, or generated and printed); their sessions end."""
    from app.services import users as user_service

    password = "" if sys.stdin.isatty() else sys.stdin.read().strip()
    generated = not password
    password = password or secrets.token_urlsafe(12)
    rt = _runtime()
    with _domain_errors(), rt.db.unit_of_work() as session:
        user_service.set_password(session, username=name, password=password, actor="cli")
    click.echo(f"new password set for {name}; their sessions have ended")
    if generated:
        click.echo(f"password: {password}")


@users.command("demo")
@click.option("--password", default="lotsen-demo", show_default=True)
def users_demo(password: str) -> None:
    """Create the demo groups (referral departments included) and demo users; print names and passwords."""
    from app.services import users as user_service

    rt = _runtime()
    with rt.db.unit_of_work() as session:
        pairs = user_service.ensure_demo_users(session, password)
    click.echo(f"Demo users (password for all: {password}):")
    for username, role in pairs:
        click.echo(f"  {username:<18} {role}")


@users.command("roles")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True)
def users_roles(name: str, roles: tuple[str, ...]) -> None:
    """Replace NAME's roles."""
    from app.services import users as user_service

    rt = _runtime()
    with _domain_errors(), rt.db.unit_of_work() as session:
        user_service.set_roles(session, username=name, roles=list(roles), actor="cli")
    click.echo(f"{name}: {', '.join(roles)}")


# ---------------------------------------------------------------- groups
@main.group()
def groups() -> None:
    """Work groups: where tasks are routed."""


@groups.command("list")
def groups_list() -> None:
    """Every group with its titles and members."""
    from app.services import groups as group_service

    rt = _runtime()
    with rt.db.unit_of_work(write=False) as session:
        for g in group_service.list_groups(session):
            flags = (" [referral department]" if g.referral_department else "") + (" [retired]" if g.retired else "")
            names = ", ".join(u.username for u in group_service.members(session, g)) or "-"
            click.echo(f"{g.name:<16} {g.title_sv} / {g.title_en}{flags}: {names}")


@groups.command("add")
@click.argument("name")
@click.option("--title-sv", required=True)
@click.option("--title-en", required=True)
@click.option("--referral-department", is_flag=True, help="answers referrals; offered at triage")
def groups_add(name: str, title_sv: str, title_en: str, referral_department: bool) -> None:
    """Create group NAME."""
    from app.services import groups as group_service

    rt = _runtime()
    with _domain_errors(), rt.db.unit_of_work() as session:
        group_service.create_group(session, actor=None, name=name, title_sv=title_sv, title_en=title_en,
                                   referral_department=referral_department)
    click.echo(f"created group {name}")


@groups.command("join")
@click.argument("group")
@click.argument("username")
def groups_join(group: str, username: str) -> None:
    """Put USERNAME in GROUP."""
    from app.services import groups as group_service

    rt = _runtime()
    with _domain_errors(), rt.db.unit_of_work() as session:
        group_service.add_member(session, actor=None, name=group, username=username)
    click.echo(f"{username} is in {group}")


@groups.command("leave")
@click.argument("group")
@click.argument("username")
def groups_leave(group: str, username: str) -> None:
    """Take USERNAME out of GROUP."""
    from app.services import groups as group_service

    rt = _runtime()
    with _domain_errors(), rt.db.unit_of_work() as session:
        group_service.remove_member(session, actor=None, name=group, username=username)
    click.echo(f"{username} left {group}")


@users.command("export")
@click.argument("name")
def users_export(name: str) -> None:
    """Print everything Lotsen holds about NAME as JSON (an access request)."""
    import json

    from app.services import retention
    from app.services.users import find_user

    rt = _runtime()
    with _domain_errors(), rt.db.unit_of_work() as session:
        data = retention.export_person(session, actor=find_user(session, name), username=name)
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


# ---------------------------------------------------------------- audit & retention
@main.group()
def audit() -> None:
    """The tamper-evident audit trail."""


def _witness(value: str | None) -> tuple[int, str] | None:
    if not value:
        return None
    event_text, _, digest = value.partition(":")
    event_id = db_id(event_text)
    if event_id is None or len(digest) != 64:
        raise click.BadParameter("give the witnessed head as EVENT_ID:HASH (as `lotsen audit checkpoint` printed it)")
    return event_id, digest


@audit.command("verify")
@click.option("--witness", help="a head printed earlier by `lotsen audit checkpoint` (EVENT_ID:HASH)")
def audit_verify(witness: str | None) -> None:
    """Walk the hash chain; exit 1 naming the first event that does not hold. Signs the verified head."""
    from app.services import audit_verify as verifier

    expected = _witness(witness)
    rt = _runtime()
    with rt.db.unit_of_work(write=False) as session:
        report = verifier.verify(session, witness=expected)
    if report.broken is not None:
        _fail(report.broken.describe())
    with rt.db.unit_of_work() as session:
        head = verifier.sign_verified_head(session, report)
    click.echo(f"audit chain intact: {report.events} events, {report.checkpoints} checkpoints")
    if head is not None:
        click.echo(f"head: {head.printable()}")


@audit.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the chain's head now and print it, for an external witness to keep."""
    from app.services import audit_checkpoints

    rt = _runtime()
    with rt.db.unit_of_work() as session:
        head = audit_checkpoints.checkpoint_head(session)
    click.echo(head.printable() if head else "the audit trail is empty")


@main.group()
def retention() -> None:
    """Erasing personal data after the retention time."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="only list what would be erased")
def retention_run(dry_run: bool) -> None:
    """Erase names, e-mail and free text from closed cases past their retention time."""
    from app.services import retention as retention_service

    rt = _runtime()
    with rt.db.unit_of_work() as session:
        plans = retention_service.run(session, dry_run=dry_run)
        if dry_run:
            session.rollback()
    if plans and not dry_run:
        rt.db.flush_erased()
    verb = "would erase" if dry_run else "erased"
    for p in plans:
        click.echo(f"{p.reference or p.case_id}  {p.outcome or '-'}  closed {p.closed_on}  {verb}: "
                   f"{', '.join(p.fields) or 'names and e-mail'}")
    click.echo(f"{len(plans)} case(s) {verb}" if plans else "nothing to erase")


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
            state = "  (failed: waits for its incident)" if t.failed_at else "  (claimed)" if t.claimed_by else ""
            click.echo(f"{t.due_at.astimezone(tz):%Y-%m-%d %H:%M %Z}  {case.reference or case.id}  {t.element_id}"
                       f"{state}")


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
@click.option("--with-scheduler/--without-scheduler", default=True, show_default=True,
              help="also run the scheduler (one process at a time does, whatever runs it)")
@click.option("--workers", type=int, default=None,
              help="worker processes (default LOTSEN_WEB_WORKERS, 1); more than one needs PostgreSQL")
@click.option("--threads", type=int, default=None, help="request threads per worker (default LOTSEN_WEB_THREADS, 8)")
@click.option("--server", "server_kind", type=click.Choice(["waitress", "gunicorn"]), default=None,
              help="the HTTP server (default: waitress for one worker, gunicorn for more)")
def serve(with_scheduler: bool, workers: int | None, threads: int | None, server_kind: str | None) -> None:
    """Serve the web app on LOTSEN_HOST:LOTSEN_PORT (default 127.0.0.1:5000)."""
    from app import server

    settings = Settings.from_env()
    workers = settings.web_workers if workers is None else workers
    threads = settings.web_threads if threads is None else threads
    server_kind = server_kind or ("waitress" if workers == 1 else "gunicorn")
    try:
        server.check(settings, workers, threads, server_kind)
    except server.ServeRefused as exc:
        _fail(str(exc))
    require_schema(settings)
    click.echo(f"Lotsen listens on http://{settings.host}:{settings.port}/ ({server_kind}, {workers} worker "
               f"process{'es' if workers > 1 else ''}, {threads} threads each)")
    server.serve(settings, workers=workers, threads=threads, with_scheduler=with_scheduler, kind=server_kind)


@main.command("scheduler")
def scheduler() -> None:
    """Run the scheduler in the foreground (timers and outbox); it waits while another process runs one."""
    from app.scheduler import run_blocking
    from app.server import configure_logging

    configure_logging()
    run_blocking(_runtime())


def _register_subcommands() -> None:
    from app.cli_insight import insight
    from app.cli_simulate import simulate
    from app.cli_workers import workers

    main.add_command(workers)
    main.add_command(insight)
    main.add_command(simulate)


_register_subcommands()


def _register_seed() -> None:
    from app.seed.cli import seed_cases

    main.add_command(seed_cases)


_register_seed()
