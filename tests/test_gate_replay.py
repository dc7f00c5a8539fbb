"""What the gate walks runs for real: every walked path of the reference process, replayed as a case
with the real handlers, database, clock and timers, gets through without a failing step."""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from app.clock import clock
from app.engine import gate
from app.engine.specs import read_bundle
from app.models import HumanTask, TaskStatus, Timer, User
from app.services import cases, messages, processes, tasks, timers
from app.services.env import get_env
from app.services.errors import InvalidInput, StepFailed
from app.services.gate import host_rules, shown_forms
from handlers import REGISTRY
from tests.conftest import PROCESSES

USER_ACTIONS = ("start", "complete", "timer", "message")


def walked_paths(rt) -> list[list[dict]]:
    """The gate's replayable paths of the reference process; a path that is the start of another is left out."""
    with rt.db.unit_of_work(write=False) as s:
        bundle = read_bundle(processes.read_directory(PROCESSES), processes.rules_for(s))
        rules = host_rules(rt.settings, get_env(s).engine.scripts, shown_forms(s, bundle.forms))
    walked: dict = {}
    report = gate.check(bundle, REGISTRY, rules, walked=walked)
    assert report.verdict != "refused", report.errors
    found = {json.dumps([a for a in path.actions if a["kind"] in USER_ACTIONS], sort_keys=True, default=str)
             for path in walked["building_permit"] if path.replayable}
    return [json.loads(p) for p in sorted(found) if not any(o != p and o.startswith(p[:-1]) for o in found)]


class Replay:
    """Runs one walked path as a real case; ``failures`` collects steps that failed."""

    def __init__(self, rt):
        self.rt, self.case_id, self.failures, self.diverged = rt, None, [], False

    def user(self, session, group: str | None = None, role: str | None = None) -> User:
        users = session.scalars(select(User).where(User.deleted_at.is_(None)).order_by(User.id)).all()
        return next(u for u in users if (group and group in u.work_groups) or (role and u.has_role(role)))


    def act(self, action: dict) -> None:
        try:
            with self.rt.db.unit_of_work() as session:
                getattr(self, action["kind"])(session, action)
        except StepFailed as exc:
            self.failures.append(f"{exc.element}: {exc.message}")
            self.diverged = True
        except (InvalidInput, LookupError, StopIteration):  # the real case went another way
            self.diverged = True

    def start(self, session, action: dict) -> None:
        case = cases.submit_case(session, actor=self.user(session, role="applicant"), process="building_permit",
                                 data={k: v for k, v in action["data"].items() if v is not None})
        self.case_id = case.id

    def complete(self, session, action: dict) -> None:
        task = session.scalar(select(HumanTask).where(HumanTask.case_id == self.case_id,
                                                      HumanTask.element_id == action["element"],
                                                      HumanTask.status == TaskStatus.OPEN).limit(1))
        if task is None:
            raise LookupError(action["element"])
        tasks.complete(session, actor=self.user(session, group=task.group), task_id=task.id, data=action["data"])

    def timer(self, session, action: dict) -> None:
        row = session.scalar(select(Timer).where(Timer.case_id == self.case_id, Timer.element_id == action["element"]))
        if row is None:
            raise LookupError(action["element"])
        clock.set(max(clock.now(), row.due_at + timedelta(seconds=1)))
        timers.fire(session, timer_id=row.id, worker="replay")

    def message(self, session, action: dict) -> None:
        messages.send_message(session, actor=self.user(session, role="applicant"), case_id=self.case_id,
                              name=action["name"], data={k: v for k, v in action["payload"].items()
                                                         if k != "received_at"})


def a_member_of_every_group(rt) -> None:
    """Someone who may work every task: the walk sends referrals to every department."""
    from app.services import groups, users

    with rt.db.unit_of_work() as s:
        users.create_user(s, username="replayer", roles=[], password="replayer-password", display_name="Replayer",
                          email="replayer@example.se", groups=[g.name for g in groups.list_groups(s)])


def checking_declarations(monkeypatch) -> list[str]:
    """Wrap every handler so that an answer with a key it does not declare, or without one it must give, is noted."""
    wrong: list[str] = []
    for name, op in list(REGISTRY.items()):
        def checked(ctx, _op=op, **params):
            answer = _op.fn(ctx, **params)
            declared = _op.returns or {}
            must = {k for k, kind in declared.items() if not (isinstance(kind, str) and kind.endswith("?"))}
            if set(answer) - set(declared) or must - set(answer):
                wrong.append(f"{_op.name}: answered {sorted(answer)}, declares {sorted(declared)}")
            return answer
        monkeypatch.setitem(REGISTRY, name, op.__class__(**{**op.__dict__, "fn": checked}))
    return wrong


def test_every_walked_path_runs_for_real_without_a_failing_step(rt, actors, monkeypatch):
    a_member_of_every_group(rt)
    wrong_answers = checking_declarations(monkeypatch)
    paths = walked_paths(rt)
    assert len(paths) > 20
    failures, replayed, actions = [], 0, 0
    for path in paths:
        clock.reset()
        replay = Replay(rt)
        for action in path:
            replay.act(action)
            if replay.diverged:
                break
            actions += 1
        replayed += not replay.diverged
        failures += replay.failures
    assert failures == []
    assert wrong_answers == []  # every handler answers what it declares, which is what the gate's fakes answer
    # a path is left where the real handlers answer otherwise than their declared fakes (an extension that
    # is no longer open, a reminder already due) or refuse the generated input for a business reason the fakes
    # do not model (no hearing parties recorded before the notices, a decision outside the delegation order,
    # a hearing left out without an exemption): most paths of the reference process now end at such a refusal,
    # so this asserts that many paths are still followed to their end, and every step on every path runs
    assert replayed >= 30, f"only {replayed} of {len(paths)} walked paths could be followed for real"
    assert actions > len(paths)  # beyond the start of every path
