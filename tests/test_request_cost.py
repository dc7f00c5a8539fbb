"""What one API request asks of the database: its authentication, an inbox page, a completion.

Every request pays these; statements the request does not need are time every user waits.
"""
from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.helpers import TRIAGE_COMPLETE, Api


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


@contextmanager
def statements(rt):
    """The SQL statements run on the runtime's engines inside the block (BEGIN and ROLLBACK left out)."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        if not re.match(r"\s*(BEGIN|ROLLBACK|COMMIT)\b", statement):
            seen.append(statement)

    engines = {rt.db.read_engine, rt.db.write_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", note)


def _claimed_decision(api) -> dict:
    """A case past triage (so it has a contact) whose decision task the coordinator has claimed."""
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id)
    [task] = api.as_("coordinator").tasks("coordinator_decision", case_id)
    assert api.as_("coordinator").post(f"/api/tasks/{task['id']}/claim").status_code == 200
    return task


def test_an_inbox_page_costs_three_queries_with_authentication(api, rt):
    _claimed_decision(api)
    with statements(rt) as seen:
        r = api.as_("coordinator").get("/api/tasks")
    assert r.status_code == 200 and r.get_json()[0]["assignee"] == "carl"
    # the token with its user, the user's groups, the page (with its cases and assignees)
    assert len(seen) == 3, "\n".join(seen)


def test_completing_a_task_reads_its_case_once(api, rt):
    task = _claimed_decision(api)
    with statements(rt) as seen:
        r = api.as_("coordinator").post(f"/api/tasks/{task['id']}/complete",
                                        json={"data": {"outcome": "granted", "decision_text": "Beviljas."}})
    assert r.status_code == 200, r.get_json()
    case_reads = [s for s in seen if re.search(r'SELECT "case"\.id, "case"\.reference', s)]
    assert len(case_reads) == 1, "\n\n".join(case_reads)
