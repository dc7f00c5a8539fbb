"""Several server processes count refused sign-ins together (PostgreSQL keeps the counts in the database)."""
from __future__ import annotations

import pytest

from app import create_app
from app.throttle_store import DatabaseStorage
from tests.test_signin import _from


def test_two_server_processes_lock_an_account_together(rt, actors):
    if rt.db.is_sqlite:
        pytest.skip("SQLite serves from one process: its counts live in that process")
    rt.settings.login_attempts_per_account = "3 per 15 minutes"
    first, second = create_app(rt.settings, runtime=rt), create_app(rt.settings, runtime=rt)  # a limiter each
    assert [_from(first, "10.0.1.1").login("carl", "wrong").status_code for _ in range(2)] == [401, 401]
    assert _from(second, "10.0.1.2").login("carl", "wrong").status_code == 401  # the third, on the other worker
    assert _from(first, "10.0.1.3").login("carl").status_code == 429
    assert _from(second, "10.0.1.4").login("carl").status_code == 429


@pytest.fixture
def storage(rt):
    return DatabaseStorage(engine=rt.db.write_engine)


def test_the_database_counts_within_a_window_and_starts_again_after_it(storage, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr("app.throttle_store.time.time", lambda: now[0])
    assert [storage.incr("account:carl", 900) for _ in range(3)] == [1, 2, 3]
    assert storage.get("account:carl") == 3 and storage.get_expiry("account:carl") == now[0] + 900
    assert storage.get("account:olga") == 0
    now[0] += 901
    assert storage.get("account:carl") == 0
    assert storage.incr("account:carl", 900) == 1  # a new window
    storage.clear("account:carl")
    assert storage.get("account:carl") == 0 and storage.check()


def test_ended_windows_do_not_pile_up(storage, rt, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr("app.throttle_store.time.time", lambda: now[0])
    for name in ("a", "b", "c"):
        storage.incr(f"account:{name}", 60)
    now[0] += 61
    storage.incr("account:d", 60)
    assert storage.reset() == 1  # only d's window was left
