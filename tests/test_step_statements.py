"""What one step of a case asks of the database: every statement a completion does not need is time the
person completing it waits, and the scheduler's and the other users' time too."""
from __future__ import annotations

import re
from collections.abc import Mapping
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.models import Case
from app.services import audit, clocks

from tests.helpers import TRIAGE_COMPLETE, Api


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


@contextmanager
def statements(rt, *, params: bool = False):
    """The SQL statements run inside the block (with their parameters if asked), BEGIN and COMMIT left out."""
    seen: list = []

    def note(_conn, _cursor, statement, parameters, *_args):
        if not re.match(r"\s*(BEGIN|ROLLBACK|COMMIT)\b", statement):
            values = parameters.values() if isinstance(parameters, Mapping) else parameters or ()
            seen.append((statement, [str(v) for v in values]) if params else statement)

    engines = {rt.db.read_engine, rt.db.write_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", note)


def _task(api, element: str, case_id: int) -> str:
    [task] = api.as_("coordinator").tasks(element, case_id)
    return task["id"]


def _complete(api, task_id: str, data: dict) -> None:
    r = api.as_("coordinator").post(f"/api/tasks/{task_id}/complete", json={"data": data})
    assert r.status_code == 200, r.get_json()


def _matching(seen: list[str], pattern: str) -> list[str]:
    return [s for s in seen if re.search(pattern, s)]


def test_completing_a_task_reads_its_process_version_once(api, rt):
    triage = _task(api, "triage", api.as_("applicant").submit()["id"])
    with statements(rt) as seen:
        _complete(api, triage, TRIAGE_COMPLETE | {"track": "simple"})
    reads = _matching(seen, r"FROM process_version")
    assert len(reads) == 1, "\n\n".join(reads)


def test_completing_a_task_writes_the_case_row_once(api, rt):
    case_id = api.as_("applicant").submit()["id"]
    _complete(api, _task(api, "triage", case_id), TRIAGE_COMPLETE | {"track": "simple"})
    decision = _task(api, "coordinator_decision", case_id)
    with statements(rt) as seen:  # the decision: state, status, outcome, clocks and figures all change
        _complete(api, decision, {"outcome": "granted", "decision_text": "Beviljas."})
    writes = _matching(seen, r'^\s*UPDATE "case"')
    assert len(writes) == 1, "\n\n".join(writes)
    case = api.as_("coordinator").get(f"/api/cases/{case_id}").get_json()
    assert case["outcome"] == "granted"


def test_a_step_asks_for_buffered_messages_only_by_the_names_the_case_waits_for(api, rt):
    case_id = api.as_("applicant").submit()["id"]
    with statements(rt) as seen:
        _complete(api, _task(api, "triage", case_id), TRIAGE_COMPLETE | {"track": "simple"})
        _complete(api, _task(api, "coordinator_decision", case_id), {"outcome": "granted",
                                                                       "decision_text": "Beviljas."})
    reads = _matching(seen, r"FROM pending_message")
    assert reads, "the case waits for messages on the way to its decision"
    assert all(re.search(r"pending_message\.name IN", s) for s in reads), "\n\n".join(reads)



def test_a_completion_reads_the_case_s_task_rows_in_one_query_with_no_candidate_groups(api, rt):
    case_id = api.as_("applicant").submit()["id"]
    triage = _task(api, "triage", case_id)
    with statements(rt, params=True) as seen:  # the triage is done; the decision becomes ready (a new row)
        _complete(api, triage, TRIAGE_COMPLETE | {"track": "simple"})
    reads = [(sql, params) for sql, params in seen if "FROM human_task" in sql]
    other = [(sql, params) for sql, params in reads if triage not in params]  # the completed task is read to check it
    # the case's open rows and any earlier row of the tasks now ready (a reset), together
    assert len(other) == 1 and "human_task.case_id = " in other[0][0], other
    assert not [sql for sql, params in seen if "FROM task_candidate_group" in sql and triage not in params], \
        "the other groups of the case's open rows are not needed to update them"
    [decision] = api.as_("coordinator").tasks("coordinator_decision", case_id)
    assert decision["group"] == "coordinator"


def test_a_step_reads_its_case_events_once_however_often_its_handlers_ask_for_the_clocks(api, rt):
    case_id = api.as_("applicant").submit()["id"]
    triage = _task(api, "triage", case_id)
    with statements(rt) as seen:  # registers the completeness, writes the receipt with its deadline, saves
        _complete(api, triage, TRIAGE_COMPLETE | {"track": "simple"})
    reads = _matching(seen, r"FROM case_event")
    assert len(reads) == 1, "\n\n".join(reads)
    deadlines = api.as_("coordinator").get(f"/api/cases/{case_id}").get_json()["deadlines"]
    assert deadlines["statutory_due"] is not None


def test_a_savepoint_rolled_back_takes_its_case_event_out_of_the_clocks_too(api, rt):
    case_id = api.as_("applicant").submit()["id"]
    with rt.db.unit_of_work() as s:
        case = s.get(Case, case_id)
        before = clocks.clocks_for(s, case)
        with pytest.raises(RuntimeError), audit.savepoint(s):
            clocks.record(s, case, "decided", {"outcome": "granted"})
            assert clocks.clocks_for(s, case).decided_on is not None
            raise RuntimeError("the step failed")
        assert clocks.clocks_for(s, case) == before
        assert clocks.refresh(s, case) == before
    with rt.db.unit_of_work(write=False) as s:
        assert clocks.clocks_for(s, s.get(Case, case_id)).decided_on is None
