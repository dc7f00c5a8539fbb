"""Two real server processes on one database, requests fired at both at once (the production shape).

On PostgreSQL this is where races show: two people claiming one task, a
message arriving while a task is completed. On SQLite the same requests run
one writer at a time, and must come out the same.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.config import Settings
from app.models import PendingMessage
from app.runtime import build_runtime
from app.services import groups as group_service
from app.services import users as user_service
from app.services.processes import deploy_directory
from tests.conftest import PROCESSES, _reset_schema, _worker_database_url
from tests.helpers import TRIAGE_COMPLETE, application, reply_by
from tests.test_messages_kept import assert_supplement_reached_the_case
from tests.lotsen_processes import environment, get, post, servers, together
from tests.smtp import free_port

CLAIM_ROUNDS = 25
MESSAGE_ROUNDS = 10
INCOMPLETE = TRIAGE_COMPLETE | {"track": "simple", "complete": False, "supplement_request": "Ritning saknas.",
                                "reply_by": reply_by()}


@pytest.fixture(scope="module")
def world(tmp_path_factory, worker_id):
    """One database with the reference process and users, served by two ``lotsen serve`` processes."""
    folder = tmp_path_factory.mktemp("two-servers")
    url = _worker_database_url(f"{worker_id}_servers") or f"sqlite:///{folder / 'lotsen.sqlite3'}"
    settings = Settings.from_env({"database_url": url, "instance_dir": str(folder / "instance"),
                                  "secret_key": "two-servers", "smtp_port": free_port()})
    rt = build_runtime(settings)
    _reset_schema(rt)
    tokens = {}
    with rt.db.unit_of_work() as s:
        group_service.ensure_demo(s)
        deploy_directory(s, PROCESSES, message="two servers")
        for name, roles, groups in (("anna", ["applicant"], []), ("carl", [], ["coordinator"]),
                                    ("cecilia", [], ["coordinator"])):
            user = user_service.create_user(s, username=name, roles=roles, groups=groups, password="password1",
                                            email=f"{name}@example.se")
            tokens[name] = user_service.issue_token(s, user)
    with servers(environment(settings), [free_port(), free_port()]) as urls:
        yield rt, urls, tokens
    rt.db.dispose()


def new_case_with_triage(world) -> tuple[int, str]:
    rt, (a, _), tokens = world
    status, case = post(f"{a}/api/cases", tokens["anna"], {"process": "building_permit", "data": application()})
    assert status == 201, case
    [task] = [t for t in get(f"{a}/api/tasks", tokens["carl"]) if t["case_id"] == case["id"]]
    return case["id"], task["id"]


def test_two_people_claiming_one_task_on_two_servers_never_both_get_it(world):
    rt, (a, b), tokens = world
    double_claims = 0
    for _ in range(CLAIM_ROUNDS):
        _, task_id = new_case_with_triage(world)
        (sa, _), (sb, _) = together((post, f"{a}/api/tasks/{task_id}/claim", tokens["carl"]),
                                    (post, f"{b}/api/tasks/{task_id}/claim", tokens["cecilia"]))
        double_claims += (sa, sb) == (200, 200)
        assert sorted((sa, sb)) == [200, 409]
    assert double_claims == 0


def test_a_message_racing_a_completion_on_two_servers_is_never_dropped(world):
    rt, (a, b), tokens = world
    for _ in range(MESSAGE_ROUNDS):
        case_id, task_id = new_case_with_triage(world)
        (completed, _), (sent, receipt) = together(
            (post, f"{a}/api/tasks/{task_id}/complete", tokens["carl"], {"data": INCOMPLETE}),
            (post, f"{b}/api/cases/{case_id}/messages/supplement_received", tokens["anna"],
             {"data": {"message": "Här är ritningen."}}))
        assert completed == 200
        assert sent == 200 and receipt["status"] in ("delivered", "recorded"), receipt
        with rt.db.unit_of_work(write=False) as s:
            [message] = s.scalars(select(PendingMessage).where(PendingMessage.case_id == case_id)).all()
            assert message.id == receipt["id"] and message.delivered_at is not None
            payload = message.payload
        assert_supplement_reached_the_case(get(f"{b}/api/cases/{case_id}", tokens["anna"]), payload)
