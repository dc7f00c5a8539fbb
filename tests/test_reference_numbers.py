"""Reference numbers handed out to transactions that race (several worker processes on PostgreSQL)."""
from __future__ import annotations

import threading
import time

from sqlalchemy import text

from app.services import numbering


def _someone_waits_for_a_lock(rt) -> bool:
    with rt.db.read_engine.connect() as conn:
        return bool(conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND wait_event_type = 'Lock'")))


def test_two_cases_registered_at_once_in_a_new_year_get_consecutive_numbers_and_neither_fails(rt):
    first = rt.db.new_session(write=True)
    assert numbering.next_number(first, "BYGG", 2031) == 1  # the year's first number: its row is new, uncommitted
    second: dict = {}

    def register() -> None:
        try:
            with rt.db.unit_of_work() as session:
                second["number"] = numbering.next_number(session, "BYGG", 2031)
        except Exception as exc:  # reported below
            second["error"] = exc

    racer = threading.Thread(target=register)
    racer.start()
    if not rt.db.is_sqlite:  # (SQLite: the second writer waits at BEGIN IMMEDIATE instead)
        deadline = time.monotonic() + 30
        while not _someone_waits_for_a_lock(rt):  # the second reached the first's new row and waits for it
            assert time.monotonic() < deadline, "the second registration never reached the row"
            time.sleep(0.02)
    first.commit()
    first.close()
    racer.join(timeout=60)
    assert second == {"number": 2}


def test_numbers_count_on_within_a_year_and_start_again_in_the_next(rt):
    with rt.db.unit_of_work() as session:
        got = [numbering.next_number(session, "BYGG", 2032) for _ in range(3)]
        got.append(numbering.next_number(session, "BYGG", 2033))
        got.append(numbering.next_number(session, "ANM", 2032))
    assert got == [1, 2, 3, 1, 1]
