"""Fixtures: a real database per test (SQLite, or PostgreSQL when
LOTSEN_TEST_DATABASE_URL is set), the deployed reference process, demo users
with API tokens, the Flask app and its test client."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.clock import clock
from app.config import PROJECT_ROOT, Settings
from app.models import Base
from app.runtime import Runtime, build_runtime
from app.services import groups as group_service
from app.services import users as user_service
from app.services.processes import deploy_directory
from tests.smtp import smtp_server

PROCESSES = PROJECT_ROOT / "processes"
PASSWORD = "test-password"
ROLE_USERS = {
    "applicant": "anna", "applicant2": "bertil", "coordinator": "carl", "officer": "olga",
    "referee": "rita", "committee": "karin", "process_owner": "petra", "admin": "adam",
}
#: What each test user may do (roles) and which groups' work they get; "referee" answers for miljö and trafik.
ACCESS = {
    "applicant": (["applicant"], []), "applicant2": (["applicant"], []),
    "coordinator": ([], ["coordinator"]), "officer": ([], ["officer"]), "referee": ([], ["miljo", "trafik"]),
    "committee": ([], ["committee"]), "process_owner": (["process_owner"], []), "admin": (["admin"], []),
}


def _worker_database_url(worker_id: str) -> str | None:
    base = os.environ.get("LOTSEN_TEST_DATABASE_URL")
    if not base:
        return None
    url = make_url(base)
    name = f"{url.database}_{worker_id}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_url(worker_id: str) -> str | None:
    return _worker_database_url(worker_id)


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing():
    """Argon2 with its cheapest parameters: the same code path, a fraction of the cost."""
    from argon2 import PasswordHasher, profiles

    from app.services import users

    original = users._hasher
    users._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    yield
    users._hasher = original


@pytest.fixture(autouse=True)
def _reset_clock():
    clock.reset()
    yield
    clock.reset()


@pytest.fixture
def settings(tmp_path: Path, pg_url: str | None) -> Settings:
    return settings_for(tmp_path, pg_url)


def settings_for(tmp_path: Path, pg_url: str | None) -> Settings:
    """Settings for a test: its own instance folder and database, test routes on, no mail server."""
    return Settings.from_env({
        "instance_dir": str(tmp_path / "instance"),
        "database_url": pg_url or f"sqlite:///{tmp_path / 'lotsen.sqlite3'}",
        "processes_dir": str(PROCESSES),
        "secret_key": "test-secret",
        "testing": True,
        "smtp_port": 1,  # nothing listens; tests that send mail start aiosmtpd
    })


def _reset_schema(rt: Runtime) -> None:
    engine = rt.db.write_engine
    if not rt.db.is_sqlite:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    Base.metadata.create_all(engine)


@dataclass
class Actors:
    """Users per role with their API tokens."""

    tokens: dict[str, str]
    ids: dict[str, int]

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def new_runtime(settings: Settings) -> Runtime:
    """A runtime on an empty schema with the standard groups and the reference process deployed."""
    runtime = build_runtime(settings)
    _reset_schema(runtime)
    with runtime.db.unit_of_work() as session:
        group_service.ensure_demo(session)  # the standard groups and the referral departments
        deploy_directory(session, PROCESSES, message="test deploy")
    return runtime


@pytest.fixture
def rt(settings: Settings) -> Runtime:
    runtime = new_runtime(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def actors(rt: Runtime) -> Actors:
    return create_actors(rt)


def create_actors(rt: Runtime) -> Actors:
    """One user per entry of ROLE_USERS, each with an API token."""
    tokens, ids = {}, {}
    with rt.db.unit_of_work() as session:
        for key, username in ROLE_USERS.items():
            roles, groups = ACCESS[key]
            user = user_service.create_user(session, username=username, roles=roles, groups=groups,
                                            password=PASSWORD, display_name=username.title(),
                                            email=f"{username}@example.se")
            tokens[key] = user_service.issue_token(session, user)
            ids[key] = user.id
    return Actors(tokens=tokens, ids=ids)


@pytest.fixture
def app(rt: Runtime):
    return create_app(rt.settings, runtime=rt)


@pytest.fixture
def client(app):
    return app.test_client()


# ------------------------------------------------------------------ a real SMTP server (aiosmtpd)


@pytest.fixture
def smtp(rt):
    """A real SMTP server on a free loopback port (see tests/smtp.py); the outbox sends to it."""
    with smtp_server() as (handler, port):
        rt.settings.smtp_port = port
        yield handler


# ------------------------------------------------------------------ browser tests (Playwright)

CHROMIUM = "/usr/bin/chromium"
BROWSER_TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright; a missing browser fails the suite, never skips it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=CHROMIUM,
                                          args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        except Exception as exc:
            pytest.fail(f"Chromium could not start from {CHROMIUM} ({exc}); install it: apt-get install chromium")
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(rt, actors):  # actors creates the users
    """The real app under waitress on a free loopback port."""
    import threading

    import waitress

    server = waitress.create_server(create_app(rt.settings, runtime=rt), host="127.0.0.1", port=0, threads=4)
    stopping = threading.Event()

    def serve() -> None:
        try:
            server.run()
        except OSError:
            if not stopping.is_set():  # closing the sockets ends the loop; anything else is a real error
                raise

    thread = threading.Thread(target=serve, name="waitress-live", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    stopping.set()
    server.close()
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=2)
    thread.join(timeout=5)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context on the live server; ``page.js_errors`` collects uncaught errors."""
    context = browser.new_context(base_url=live_server, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    new_page = context.new_page()
    errors: list[str] = []
    new_page.on("pageerror", lambda exc: errors.append(str(exc)))
    new_page.js_errors = errors
    refused: list[str] = []
    new_page.on("console", lambda msg: "Content Security Policy" in msg.text and refused.append(msg.text))
    yield new_page
    context.close()
    assert not refused, f"the page broke its Content-Security-Policy: {refused}"
