"""What the gate walks runs for real: every walked path of the reference process, replayed as a case
with the real handlers, database, clock and timers, gets through without a failing step."""
from __future__ import annotations

import io
import json
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from app.clock import clock
from app.engine import gate
from app.engine.specs import read_bundle
from app.models import Case, HumanTask, TaskStatus, Timer, User
from app.services import cases, documents, hearing, messages, processes, tasks, timers
from app.services.env import get_env
from app.services.errors import InvalidInput, StepFailed
from app.services.messages import APPLICANT_MESSAGES
from app.services.gate import host_rules, shown_forms
from handlers import REGISTRY
from tests.conftest import PROCESSES

USER_ACTIONS = ("start", "complete", "timer", "message", "answer")
#: What each real handler answered on the path being replayed, by element.
ANSWERS: dict[str, dict] = {}
FORMS = {p.name: json.loads(p.read_text()) for p in (PROCESSES / "forms").glob("*.json")}


def walked_paths(rt) -> tuple[list[list[dict]], set[str]]:
    """The gate's replayable paths of the reference process (a path that is the start of another is left out),
    and the elements those paths reach."""
    with rt.db.unit_of_work(write=False) as s:
        bundle = read_bundle(processes.read_directory(PROCESSES), processes.rules_for(s))
        rules = host_rules(rt.settings, get_env(s).engine.scripts, shown_forms(s, bundle.forms))
    walked: dict = {}
    report = gate.check(bundle, REGISTRY, rules, walked=walked)
    assert report.verdict != "refused", report.errors
    replayable = [path for path in walked["building_permit"] if path.replayable]
    found = {json.dumps([a for a in path.actions if a["kind"] in USER_ACTIONS], sort_keys=True, default=str)
             for path in replayable}
    paths = [json.loads(p) for p in sorted(found) if not any(o != p and o.startswith(p[:-1]) for o in found)]
    return paths, {element for path in replayable for element in path.elements}


class Replay:
    """Runs one walked path as a real case; ``failures`` collects steps that failed."""

    def __init__(self, rt):
        self.rt, self.case_id, self.failures, self.diverged = rt, None, [], False
        self.refused: list[tuple[str, list[str]]] = []
        self.lost: list[str] = []
        self.otherwise: list[str] = []
        #: {element: answer} of the walk's fakes on this path, and of the real handlers (see checking_declarations)
        self.expected: dict[str, dict] = {}
        self.answers: dict[str, dict] = ANSWERS
        ANSWERS.clear()

    def user(self, session, group: str | None = None, role: str | None = None) -> User:
        users = session.scalars(select(User).where(User.deleted_at.is_(None)).order_by(User.id)).all()
        return next(u for u in users if (group and group in u.work_groups) or (role and u.has_role(role)))


    def act(self, action: dict) -> None:
        if action["kind"] == "answer":  # the walk's fake answered this: the real handler answers for itself
            self.expected[action["element"]] = action["answer"]
            return
        try:
            with self.rt.db.unit_of_work() as session:
                getattr(self, action["kind"])(session, action)
        except StepFailed as exc:
            self.failures.append(f"{exc.element}: {exc.message}")
            self.diverged = True
        except InvalidInput as exc:  # the app refuses this submission: a person could not make it either
            self.refused.append((action.get("element") or action["kind"], sorted(e["field"] for e in exc.errors)))
            self.diverged = True
        except (LookupError, StopIteration) as exc:  # the real case is not where the walk was
            self.diverged = True
            answered = self.answered_otherwise()
            if answered:
                self.otherwise.append(answered)
            else:
                self.lost.append(f"{action['kind']} {action.get('element') or action.get('name') or ''}: {exc!r}")

    def answered_otherwise(self) -> str | None:
        """The handler on this path whose real answer took another of its declared choices than the walk's fake
        (an extension no longer possible, a reminder already due): the real case rightly went another way."""
        for element, fake in self.expected.items():
            real = self.answers.get(element)
            if real is not None and any(key in real and real[key] != value for key, value in fake.items()
                                        if isinstance(value, bool) or value is None):
                return element
        return None

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
        actor = self.user(session, group=task.group)
        data = self.as_a_person_would(session, actor, task, dict(action["data"]))
        tasks.complete(session, actor=actor, task_id=task.id, data=data)

    def as_a_person_would(self, session, actor: User, task: HumanTask, data: dict) -> dict:
        """What the staff member does on the page before sending the form: the written consents an exemption
        names are uploaded and chosen among the case's documents, the parties to be heard are recorded before
        the notices go out. The walk's fakes accept any such input; the real handlers check it."""
        schema = FORMS.get(task.form or "", {})
        for name, prop in (schema.get("properties") or {}).items():
            if (prop.get("items") or {}).get("x-options-from") == "case_documents":
                data[name] = [self.consent(session, actor).id] if data.get("hearing_exemption") == "all_consented" \
                    else []
        if data.get("hearing_channel") and not hearing.parties(session, session.get(Case, self.case_id)):
            hearing.add_party(session, actor=actor, case_id=self.case_id, name="Granne Grannsson",
                              address="Grannvägen 2, 123 45 Norrby")
        return data

    def consent(self, session, actor: User):
        return documents.store(session, case=session.get(Case, self.case_id), filename="medgivande.pdf",
                               stream=io.BytesIO(b"%PDF-1.4 medgivande"), uploaded_by=actor)

    def timer(self, session, action: dict) -> None:
        row = session.scalar(select(Timer).where(Timer.case_id == self.case_id, Timer.element_id == action["element"]))
        if row is None:
            raise LookupError(action["element"])
        clock.set(max(clock.now(), row.due_at + timedelta(seconds=1)))
        timers.fire(session, timer_id=row.id, worker="replay")

    def message(self, session, action: dict) -> None:
        if action["name"] == hearing.ALL_ANSWERED:  # sent when the officer records the last party's answer
            staff = self.user(session, group="officer")
            for party in hearing.parties(session, session.get(Case, self.case_id)):
                hearing.record_response(session, actor=staff, case_id=self.case_id, party_id=party.id,
                                        response="no_objection")
            return
        sender = self.user(session, role="applicant") if action["name"] in APPLICANT_MESSAGES \
            else self.user(session, group="officer")
        messages.send_message(session, actor=sender, case_id=self.case_id, name=action["name"],
                              data={k: v for k, v in action["payload"].items() if k != "received_at"})


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
            ANSWERS[ctx.element_id] = answer
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
    paths, walked_elements = walked_paths(rt)
    reached: set[str] = set()
    assert len(paths) > 20
    failures, lost, refused, otherwise, followed = [], [], Counter(), Counter(), 0
    for path in paths:
        clock.reset()
        replay = Replay(rt)
        for action in path:
            replay.act(action)
            if replay.diverged:
                break
        followed += not replay.diverged
        failures += replay.failures
        lost += replay.lost
        otherwise.update(replay.otherwise)
        if replay.case_id is not None:
            with rt.db.unit_of_work(write=False) as session:
                reached |= {step["element"] for step in session.get(Case, replay.case_id).path}
        refused.update((element, ", ".join(fields)) for element, fields in replay.refused)
    assert failures == []  # no step fails on any path: no NameError-type incident
    # the real case is always where the walk was (the same tasks, timers and messages wait), unless a real handler
    # took another of its declared answers than the walk's fake on that path
    assert lost == []
    assert wrong_answers == []  # every handler answers what it declares, which is what the gate's fakes answer
    # The fakes accept every generated submission; the real handlers refuse those the law or the case forbids (the
    # simple track where neighbours must be heard, a hearing and an exemption from it, a decision outside the
    # delegation order, an extension longer than the law allows). Such a path ends where a person is told what
    # is wrong, which is no incident; every refusal names a field of the form.
    assert all(fields for _element, fields in refused), refused
    # Every element the walk reached is reached by a real case too, except the end of the appeal period: the
    # replay does not serve the decision on its parties, so the period never ends for real (the gate reaches
    # legal force with the appeal check's declared answers).
    assert walked_elements - reached <= {"appeal_ruling", "record_legal_force_task", "closed"}, \
        sorted(walked_elements - reached)
    assert followed >= 0.4 * len(paths), (f"only {followed} of {len(paths)} walked paths could be followed for "
                                          f"real; refused: {dict(refused)}; handlers answered otherwise: "
                                          f"{dict(otherwise)}")
