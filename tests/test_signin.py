"""Sign-in: throttled guessing, sessions that end for real, what a refused sign-in keeps."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from app import create_app
from app.cli import main
from app.models import AuditEvent
from app.services import users as user_service
from tests.helpers import Browser, csrf


@pytest.fixture
def throttled_app(rt):
    rt.settings.login_attempts_per_account = "3 per 15 minutes"
    rt.settings.login_attempts_per_address = "5 per 15 minutes"
    return create_app(rt.settings, runtime=rt)


def _from(app, address: str) -> Browser:
    browser = Browser(app)
    browser.client.environ_base.update(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")
    return browser


def test_an_account_is_locked_for_a_while_after_repeated_wrong_passwords(throttled_app, actors):
    guesser = _from(throttled_app, "10.0.0.1")
    assert [guesser.login("carl", "wrong-password").status_code for _ in range(3)] == [401, 401, 401]
    refused = _from(throttled_app, "10.0.0.2").login("carl")  # the right password, from elsewhere
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert "Try again in 15 minutes." in refused.get_data(as_text=True)
    assert _from(throttled_app, "10.0.0.1").login("olga").status_code == 302  # other accounts are not locked


def test_an_address_is_slowed_down_after_guessing_many_accounts(throttled_app, actors):
    guesser = _from(throttled_app, "10.0.0.3")
    names = ["carl", "olga", "rita", "karin", "petra"]
    assert [guesser.login(name, "wrong-password").status_code for name in names] == [401] * 5
    r = guesser.login("adam")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert _from(throttled_app, "10.0.0.4").login("adam").status_code == 302


def test_only_a_throttled_sign_in_is_told_to_wait(throttled_app, actors):
    browser = _from(throttled_app, "10.0.0.6")
    first = browser.login("carl", "wrong-password")
    assert first.status_code == 401
    told = {name for name, _ in first.headers.items() if name.lower().startswith(("retry-after", "x-ratelimit"))}
    assert told == set(), "a first wrong password is no reason to wait, nor a count of guesses left"
    assert "Retry-After" not in _from(throttled_app, "10.0.0.7").login("olga").headers


def test_people_who_type_their_password_right_are_never_throttled(throttled_app, actors):
    for _ in range(8):
        browser = _from(throttled_app, "10.0.0.5")
        assert browser.login("carl").status_code == 302


def test_a_refused_sign_in_keeps_at_most_150_characters_of_the_typed_name(browser, actors, rt):
    typed = "x" * 5000 + "\x01\n"
    assert browser.login(typed, "wrong-password").status_code == 401
    with rt.db.unit_of_work() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")).one()
        assert event.actor == "x" * 80
        assert event.details == {"username": "x" * 150}


def test_a_short_wrong_name_is_kept_as_it_was_typed(browser, actors, rt):
    browser.login("carl.typo", "wrong-password")
    with rt.db.unit_of_work() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")).one()
        assert event.actor == "carl.typo" and not event.details


@pytest.fixture
def browser(app):
    return Browser(app)


def _copy_of_cookie(app, browser: Browser) -> Browser:
    thief = Browser(app)
    cookie = browser.client.get_cookie("session")
    thief.client.set_cookie("session", cookie.value)
    return thief


def test_a_copied_session_cookie_stops_working_after_logout(app, browser, actors):
    browser.login("carl")
    thief = _copy_of_cookie(app, browser)
    assert thief.get("/inbox").status_code == 200
    page = browser.get("/inbox").get_data(as_text=True)
    browser.client.post("/logout", data={"csrf_token": csrf(page)})
    r = thief.get("/inbox")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_deleting_a_user_ends_their_sessions(app, browser, actors, rt):
    browser.login("carl")
    assert browser.get("/inbox").status_code == 200
    with rt.db.unit_of_work() as session:
        user_service.delete_user(session, username="carl", actor="adam")
    assert browser.get("/inbox").status_code == 302


def test_a_new_password_ends_the_sessions_signed_in_with_the_old_one(app, browser, actors, rt, monkeypatch, tmp_path):
    browser.login("carl")
    assert browser.get("/inbox").status_code == 200
    monkeypatch.setenv("LOTSEN_DATABASE_URL", rt.settings.database_url)
    monkeypatch.setenv("LOTSEN_INSTANCE_DIR", str(tmp_path / "cli-instance"))
    result = CliRunner().invoke(main, ["users", "password", "carl"], input="a-brand-new-password\n")
    assert result.exit_code == 0, result.output
    assert browser.get("/inbox").status_code == 302
    assert Browser(app).login("carl", "a-brand-new-password").status_code == 302
    result = CliRunner().invoke(main, ["users", "password", "carl"], input="short\n")
    assert result.exit_code == 1 and "at least 8 characters" in result.output


def test_signing_in_again_after_logout_works(browser, actors):
    browser.login("carl")
    browser.client.post("/logout", data={"csrf_token": csrf(browser.get("/inbox").get_data(as_text=True))})
    assert browser.login("carl").status_code == 302
    assert browser.get("/inbox").status_code == 200
