"""What one step of a case asks of the database: every statement a completion does not need is time the
person completing it waits, and the scheduler's and the other users' time too."""
from __future__ import annotations

import re

import pytest

from tests.helpers import TRIAGE_COMPLETE, Api
from tests.test_request_cost import statements


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


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
