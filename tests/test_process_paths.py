"""Every path of building_permit.bpmn through the engine, with a save/restore
round trip (serialize, deserialize) after every step."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, UTC
from zoneinfo import ZoneInfo

import pytest
from SpiffWorkflow.util.task import TaskState

from app.clock import clock
from app.config import Settings
from app.engine.runtime import ProcessEngine
from app.engine.script_pool import ScriptPool
from app.engine.store import SpecCache, specs_to_json
from app.engine.specs import parse_bundle
from app.services.processes import RULES, read_directory
from handlers import REGISTRY
from handlers.registry import HandlerContext, HandlerInputError
from tests.conftest import PROCESSES
from tests.helpers import TRIAGE_COMPLETE, application

APPLICATION_FIELDS = ["height_m", "area_m2", "inside_built_up_area"]
SETTINGS = {"timezone": "Europe/Stockholm", "external_bodies": Settings().external_bodies}
TZ = ZoneInfo("Europe/Stockholm")


@dataclass
class Host:
    sent: list = field(default_factory=list)
    events: list = field(default_factory=list)
    letters: list = field(default_factory=list)
    n: int = 0
    #: (letter kind, recipient name) of every letter, the applicant's with no name
    recipients: list = field(default_factory=list)
    parties: list = field(default_factory=lambda: [
        {"id": 1, "name": "Bo Granne", "email": "bo@example.se", "address": None, "notified_at": None,
         "response": None}])
    open: dict = field(default_factory=dict)

    def hearing_parties(self):
        return self.parties

    def party_notified(self, party_id, letter):
        next(p for p in self.parties if p["id"] == party_id)["notified_at"] = clock.now().isoformat()

    def open_tasks(self, element_id):
        return self.open.get(element_id, [])

    def documents(self):
        return [{"id": 7, "filename": "medgivande.pdf"}]

    def recipient_names(self):
        return {"miljo": "Miljö", "forsvarsmakten": "Försvarsmakten"}

    def next_number(self, series, year):
        self.n += 1
        return self.n

    def notify(self, notification):
        self.sent.append(notification)

    def record_event(self, kind, data):
        self.events.append(kind)

    def has_event(self, kind):
        return kind in self.events

    def statutory_clock(self, case_type=None):
        return {"statutory_due": "2099-01-01", "statutory_start": "2098-10-23", "statutory_weeks": 10,
                "extended": "extended" in self.events}

    def extend_deadline(self, reason, weeks=None):
        self.events.append("extended")
        return {"statutory_due": "2099-03-12", "extension_weeks": weeks}

    def publish_notice(self, kind, title, text, until):
        self.recipients.append((kind, "anslagstavla"))
        return {"notice_id": 1, "channel": "anslagstavla", "posted_on": "2026-01-01", "until": until}

    def send_letter(self, kind, values, recipient=None):
        self.letters.append(kind)
        self.recipients.append((kind, (recipient or {}).get("name")))
        return {"document_id": len(self.letters), "kind": kind, "language": "sv"}

    #: The appeal period as the real host would see it: the applicant served on the day of the decision.
    served_on: date | None = None
    appeal: str | None = None  # None, "forwarded" (waiting for the ruling) or "stands"

    def serve(self, document_id):
        self.served_on = clock.now().astimezone(TZ).date()
        return {"party_id": 1, "email": "anna@example.se"}

    def appeal_period(self, decision):
        legal_force_on = self.served_on + timedelta(days=22)
        state = ("appealed" if self.appeal == "forwarded"
                 else "legal_force" if clock.now().astimezone(TZ).date() >= legal_force_on else "running")
        return {"state": state, "decided_on": self.served_on.isoformat(), "published_on": None,
                "appeal_last_day": (legal_force_on - timedelta(days=1)).isoformat(),
                "legal_force_on": None if state == "appealed" else legal_force_on.isoformat(),
                "parties": [{"name": "Anna", "served_on": self.served_on.isoformat()}], "appeals": []}


class InProcessOnly(ScriptPool):
    """The reference process stays fast: every script and expression in it is proven bounded (no worker)."""

    def _call(self, op, subject, source, context, external):
        raise AssertionError(f"{source!r} is not proven bounded and needed a script worker")


@pytest.fixture(scope="module")
def engine():
    bundle = parse_bundle(read_directory(PROCESSES), RULES)
    cache = SpecCache()
    cache.put(1, specs_to_json(*bundle.specs["building_permit"]))
    return ProcessEngine(REGISTRY, cache, scripts=InProcessOnly())


class Case:
    """Drives one workflow, reloading it from JSON after every step."""

    def __init__(self, engine, **data):
        self.engine, self.host, self.events = engine, Host(), []
        full = {name: None for name in APPLICATION_FIELDS} | application(**data)
        self.wf = engine.new(1, full, self.context_for)
        engine.run(self.wf, self.events)
        self.roundtrip()

    def context_for(self, step):
        reference = (step.data.get("registration") or {}).get("reference")  # as the host: none until registered
        return HandlerContext(case_id=1, reference=reference, element_id=step.element_id,
                              now=clock.now(), data=dict(step.data), settings=SETTINGS,
                              host=self.host)

    def roundtrip_from_last_state(self):
        """Forget what a refused action did to the workflow in memory: reload the last saved state."""
        self.wf = self.engine.load(self.state, self.context_for)

    def roundtrip(self):
        state = self.engine.dump(self.wf)
        self.state = state
        self.wf = self.engine.load(state, self.context_for)
        assert self.engine.dump(self.wf) == state

    def ready(self):
        return sorted(t.task_spec.bpmn_id for t in self.wf.get_tasks(state=TaskState.READY, manual=True))

    def complete(self, name, **data):
        task = next(t for t in self.wf.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id == name)
        self.engine.complete_task(self.wf, str(task.id), data, self.events)
        self.roundtrip()

    def snapshot(self):
        return self.engine.snapshot(self.wf, [])

    def close_after_appeal_window(self):
        """The decision waits out the appeal period (status decided); when it has passed, the case closes."""
        snap = self.snapshot()
        assert not self.wf.is_completed() and snap.statuses == ["decided"]
        check = self.data["appeal_check"]
        wake_at = datetime.fromisoformat(check["wake_at"])
        assert [(t.element_id, t.due_at) for t in snap.timers] == [("appeal_period_ends", wake_at)]
        assert [name for name, _ in snap.messages] == ["appeal_period_changed"]
        clock.set(wake_at + timedelta(days=3))  # the scheduler was down for three days
        self.engine.fire_due_timers(self.wf, self.events)
        self.roundtrip()
        assert self.wf.is_completed() and self.host.events[-1] == "legal_force"
        assert self.data["legal_force"]["date"] == check["legal_force_on"]  # not the day the timer fired

    def wf_path(self):
        return self.engine.path(self.wf)

    @property
    def data(self):
        return self.engine.case_data(self.wf)


def test_simple_fence_is_decided_by_the_coordinator(engine):
    case = Case(engine, measure="plank")
    assert case.ready() == ["triage"]
    suggested = case.data
    assert (suggested["suggested_case_type"], suggested["suggested_track"]) == ("bygglov", "simple")
    case.complete("triage", **TRIAGE_COMPLETE, track="simple")
    assert case.ready() == ["coordinator_decision"]
    case.complete("coordinator_decision", outcome="granted", decision_text="Beviljas.")
    case.close_after_appeal_window()
    assert case.data["decision"]["outcome"] == "granted" and case.data["fee"]["total"] > 0
    assert case.host.events == ["received", "complete", "decision_taken", "decided", "legal_force"]


def test_triage_that_finds_no_permit_needed_closes_the_case_with_the_advisory_letter(engine):
    clock.set(datetime(2026, 1, 12, 9, 0, tzinfo=UTC))  # after the 2025 reform
    case = Case(engine, measure="plank", height_m=1.0)
    assert case.data["suggested_case_type"] == "no_permit" and case.data["registration"]["arrived_on"] == "2026-01-12"
    case.complete("triage", **(TRIAGE_COMPLETE | {"case_type": "no_permit", "advice": "Håll sikten fri."}),
                  track="simple")
    assert case.wf.is_completed() and case.snapshot().statuses == ["closed"]
    assert case.data["decision"]["outcome"] == "no_permit_needed" and case.host.letters[-1] == "advisory"
    assert "fee" not in case.data  # no fee step on this path


def test_standard_case_with_parallel_referrals_is_decided_by_an_officer(engine):
    case = Case(engine, measure="nybyggnad", in_detailed_plan=True)
    case.complete("triage", **(TRIAGE_COMPLETE | {"referrals": ["miljo", "trafik"]}), track="standard")
    assert case.ready() == ["review"]
    case.complete("review", assessment="Förenligt med planen.", referrals=["miljo", "trafik"],
                  neighbours_required=False)
    assert case.ready() == ["answer_referral", "answer_referral"]
    assert set(case.snapshot().statuses) == {"awaiting_referrals"}  # two referrals and their reminder
    assert sorted(t.group for t in case.snapshot().ready) == ["miljo", "trafik"]  # each to its department
    case.complete("answer_referral", statement="Inget att erinra.", objection=False)
    assert case.ready() == ["answer_referral"]
    case.complete("answer_referral", statement="Utfart ska flyttas.", objection=True)
    assert case.ready() == ["draft_decision"]
    answers = case.data["referral_answers"]
    assert sorted(a["referral"] for a in answers) == ["miljo", "trafik"]
    case.complete("draft_decision", outcome="granted", decision_text="Bygglov beviljas.")
    case.close_after_appeal_window()
    assert case.data["decision"]["outcome"] == "granted"


def test_deviation_needs_neighbours_and_a_committee_decision(engine):
    case = Case(engine, measure="tillbyggnad", deviates_from_plan=True)
    assert (case.data["suggested_track"], case.data["suggested_neighbours"]) == ("committee", True)
    case.complete("triage", **(TRIAGE_COMPLETE | {"neighbours_required": True}), track="committee")
    case.complete("review", assessment="Avvikelsen är inte liten.", referrals=[], neighbours_required=True)
    assert case.ready() == ["prepare_hearing"]
    case.complete("prepare_hearing", hearing_channel="letters", hearing_response_by=None)
    assert [r for r in case.host.recipients if r[0] == "hearing_notice"] == [("hearing_notice", "Bo Granne")]
    snap = case.snapshot()
    assert case.ready() == [] and snap.statuses == ["neighbour_hearing"]
    response_due = datetime.fromisoformat(case.data["neighbour_hearing"]["response_due"])
    assert [(t.element_id, t.due_at) for t in snap.timers] == [("neighbour_period_ends", response_due)]
    assert snap.messages == [("neighbours_answered", "neighbours_answered")]
    clock.set(response_due + timedelta(seconds=1))
    case.engine.fire_due_timers(case.wf, case.events)
    case.roundtrip()
    assert case.ready() == ["record_neighbour_responses"]
    assert case.data["neighbour_responses"]["unanswered"] == ["Bo Granne"]
    case.complete("record_neighbour_responses", responses="Två grannar invänder.", objections_received=True)
    case.complete("draft_decision", outcome="refused", decision_text="Förslag: avslag.")
    # before the refusal the applicant may comment (kommunicering); then the draft is reconsidered
    assert case.ready() == [] and case.snapshot().statuses == ["awaiting_comments"]
    assert case.host.recipients[-1] == ("communication", None)
    case.engine.deliver_message(case.wf, "comments_received", {"message": "Vi sänker höjden."}, case.events)
    case.roundtrip()
    assert case.ready() == ["draft_decision"] and case.data["comments"]["message"] == "Vi sänker höjden."
    case.complete("draft_decision", outcome="refused", decision_text="Förslag: avslag.")
    assert case.ready() == ["committee_decision"]
    assert case.snapshot().statuses == ["awaiting_committee"]
    case.complete("committee_decision", outcome="refused", minutes_reference="BN 2026-04-12 § 41")
    assert case.data["decision"]["outcome"] == "refused"


def test_hearing_ends_early_when_every_party_has_answered(engine):
    case = Case(engine, measure="nybyggnad", in_detailed_plan=False)
    case.complete("triage", **(TRIAGE_COMPLETE | {"neighbours_required": True}), track="standard")
    case.complete("review", assessment="Utanför plan.", referrals=[], neighbours_required=True)
    case.complete("prepare_hearing", hearing_channel="letters", hearing_response_by=None)
    case.host.parties[0]["response"] = "no_objection"
    case.engine.deliver_message(case.wf, "neighbours_answered", {"answered": 1}, case.events)
    case.roundtrip()
    assert case.ready() == ["record_neighbour_responses"] and case.snapshot().timers == []
    assert case.data["neighbour_responses"]["objected"] is False


def test_unanswered_comments_send_the_draft_back_on_the_day_after_the_last_day(engine):
    clock.set(datetime(2026, 4, 6, 9, 0, tzinfo=UTC))
    case = Case(engine, measure="nybyggnad")
    case.complete("triage", **TRIAGE_COMPLETE, track="standard")
    case.complete("review", assessment="Strider mot planen.", referrals=[], neighbours_required=False)
    case.complete("draft_decision", outcome="refused", decision_text="Avslag.")
    deadline = datetime.fromisoformat(case.data["communication"]["reply_deadline"])
    assert deadline == datetime(2026, 4, 20, 21, 59, 59, tzinfo=UTC)
    clock.set(deadline + timedelta(seconds=1))
    case.engine.fire_due_timers(case.wf, case.events)
    case.roundtrip()
    assert case.ready() == ["draft_decision"]


def test_referrals_get_a_reply_date_a_reminder_and_external_bodies_a_letter(engine):
    clock.set(datetime(2026, 4, 6, 9, 0, tzinfo=UTC))
    case = Case(engine, measure="nybyggnad", height_m=30, inside_built_up_area=False)
    case.complete("triage", **(TRIAGE_COMPLETE | {"referrals": ["miljo", "forsvarsmakten"]}), track="standard")
    case.complete("review", assessment="Mast.", referrals=["miljo", "forsvarsmakten"], neighbours_required=False)
    assert case.data["referral_round"]["external"] == ["forsvarsmakten"]
    assert [r for r in case.host.recipients if r[0] == "referral"] == [("referral", "Försvarsmakten")]
    ready = case.snapshot().ready
    assert sorted((t.element_id, t.groups[0], t.due_at.isoformat()) for t in ready) == [
        ("answer_referral", "miljo", "2026-04-27T21:59:59+00:00"),
        ("answer_referral", "officer", "2026-04-27T21:59:59+00:00")]
    case.host.open["answer_referral"] = [{"id": "t1", "group": "miljo", "title": "Answer referral — Miljö",
                                          "title_sv": "Besvara remiss — Miljö", "subject": "miljo", "due_at": None}]
    clock.set(datetime.fromisoformat(case.data["referral_round"]["remind_at"]) + timedelta(seconds=1))
    case.engine.fire_due_timers(case.wf, case.events)
    case.roundtrip()
    assert [n.recipient for n in case.host.sent if n.kind == "referral_reminder"] == ["group:miljo"]
    assert len(case.ready()) == 2  # the referrals stay open


def test_incomplete_application_waits_for_the_supplement_and_is_triaged_again(engine):
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    case = Case(engine, measure="plank")
    case.complete("triage", **(TRIAGE_COMPLETE | {"complete": False}), track="simple",
                  supplement_request="Situationsplan saknas.", reply_by="2026-03-23")
    snap = case.snapshot()
    assert case.ready() == [] and snap.statuses == ["awaiting_supplement"]
    assert [m for m, _ in snap.messages] == ["supplement_received"]
    assert [t.due_at for t in snap.timers] == [datetime(2026, 3, 23, 22, 59, 59, tzinfo=UTC)]
    case.engine.deliver_message(case.wf, "supplement_received", {"message": "Bifogar planen."}, case.events)
    case.roundtrip()
    assert case.ready() == ["triage"]
    assert case.data["supplement"]["message"] == "Bifogar planen."
    case.complete("triage", **TRIAGE_COMPLETE, track="simple")
    case.complete("coordinator_decision", outcome="granted", decision_text="Beviljas.")
    case.close_after_appeal_window()


def test_unanswered_supplement_leads_to_dismissal_on_the_reply_date(engine):
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    case = Case(engine, measure="plank")
    case.complete("triage", **(TRIAGE_COMPLETE | {"complete": False}), track="simple",
                  supplement_request="Ritning saknas.", reply_by="2026-03-23")
    clock.set(datetime(2026, 3, 23, 22, 0, tzinfo=UTC))
    case.engine.fire_due_timers(case.wf, case.events)
    assert case.ready() == []  # the reply day is not over yet in Stockholm
    clock.advance(timedelta(hours=1))
    case.engine.fire_due_timers(case.wf, case.events)
    case.roundtrip()
    assert case.ready() == ["supplement_overdue"]
    case.complete("supplement_overdue", action="dismiss")
    assert case.data["decision"]["outcome"] == "dismissed"
    case.close_after_appeal_window()


def test_unanswered_supplement_can_be_decided_as_it_stands(engine):
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    case = Case(engine, measure="plank")
    case.complete("triage", **(TRIAGE_COMPLETE | {"complete": False}), track="simple",
                  supplement_request="Ritning saknas.", reply_by="2026-03-05")
    clock.set(datetime(2026, 3, 6, 9, 0, tzinfo=UTC))
    case.engine.fire_due_timers(case.wf, case.events)
    case.roundtrip()
    case.complete("supplement_overdue", action="decide_as_is")
    assert case.ready() == ["coordinator_decision"]
    case.complete("coordinator_decision", outcome="granted", decision_text="Underlaget räcker.")
    assert case.data["decision"]["outcome"] == "granted" and case.data["decision"]["grounds"] == "as_it_stands"


def test_coordinator_refusal_is_refused_by_the_delegation_order_and_the_case_can_be_handed_over(engine):
    case = Case(engine, measure="plank")
    case.complete("triage", **TRIAGE_COMPLETE, track="simple")
    with pytest.raises(HandlerInputError) as refused:
        engine.complete_task(case.wf, next(str(t.id) for t in case.wf.get_tasks(state=TaskState.READY, manual=True)),
                             {"outcome": "refused", "decision_text": "Avslås."}, [])
    assert refused.value.field == "outcome" and "Delegationsordning 1.1" in refused.value.message
    case.roundtrip_from_last_state()
    case.complete("coordinator_decision", outcome="hand_over", decision_text="Bör avslås; nämnden beslutar.")
    assert case.ready() == ["review"]
    case.complete("review", assessment="Strider mot planen.", referrals=[], neighbours_required=False)
    case.complete("draft_decision", outcome="refused", decision_text="Bygglov avslås.")
    case.engine.deliver_message(case.wf, "comments_received", {"message": "Inget att tillägga."}, case.events)
    case.complete("draft_decision", outcome="refused", decision_text="Bygglov avslås.")
    # the officer may not refuse on delegation: the draft goes to the committee
    assert case.ready() == ["committee_decision"]
    case.complete("committee_decision", outcome="refused", minutes_reference="§ 42")
    assert case.data["delegation"] == {"group": "committee", "outcome": "refused", "on_delegation": False,
                                       "rule": case.data["delegation_rule"]}
    case.close_after_appeal_window()


@pytest.mark.parametrize("data, case_type, track, neighbours, referrals", [
    ({"measure": "attefall"}, "anmalan", "simple", False, []),
    ({"measure": "plank"}, "bygglov", "simple", False, []),
    ({"measure": "skylt"}, "bygglov", "simple", False, []),
    ({"measure": "rivning"}, "rivningslov", "standard", False, ["kulturmiljo"]),
    ({"measure": "marklov"}, "marklov", "standard", False, []),
    ({"measure": "nybyggnad", "deviates_from_plan": True}, "bygglov", "committee", True, []),
    ({"measure": "nybyggnad", "in_detailed_plan": False}, "bygglov", "standard", True, ["miljo"]),
    ({"measure": "nybyggnad", "height_m": 30, "inside_built_up_area": False}, "bygglov", "standard", False,
     ["forsvarsmakten"]),
    ({"measure": "nybyggnad", "height_m": 30, "inside_built_up_area": True}, "bygglov", "standard", False, []),
    ({"measure": "nybyggnad", "height_m": 50, "inside_built_up_area": True}, "bygglov", "standard", False,
     ["forsvarsmakten"]),
    ({"measure": "tillbyggnad"}, "bygglov", "standard", False, []),
])
def test_triage_rules_suggest_type_track_neighbours_and_referrals(engine, data, case_type, track, neighbours,
                                                                   referrals):
    suggested = Case(engine, **data).data
    assert suggested["suggested_case_type"] == case_type
    assert suggested["suggested_track"] == track
    assert suggested["suggested_neighbours"] is neighbours
    assert suggested["suggested_referrals"] == referrals


def test_extension_prompt_fires_during_review_and_an_unanswered_one_ends_with_the_case(engine):
    clock.set(datetime(2098, 10, 23, 9, 0, tzinfo=UTC))
    case = Case(engine, measure="nybyggnad")
    case.complete("triage", **TRIAGE_COMPLETE, track="standard")
    reminder = datetime.fromisoformat(case.data["completeness"]["extension_reminder_at"])
    clock.set(reminder + timedelta(minutes=1))
    case.engine.fire_due_timers(case.wf, case.events)
    case.roundtrip()
    assert case.ready() == ["consider_extension", "review"]
    case.complete("review", assessment="OK.", referrals=[], neighbours_required=False)
    case.complete("draft_decision", outcome="granted", decision_text="Beviljas.")
    assert "consider_extension" in case.ready()
    clock.set(datetime.fromisoformat(case.data["appeal_check"]["wake_at"]) + timedelta(seconds=1))
    case.engine.fire_due_timers(case.wf, case.events)
    case.roundtrip()
    # the terminate end closes the open side branch too
    assert case.wf.is_completed() and case.ready() == [] and case.snapshot().statuses == ["closed"]


def test_officer_extends_when_prompted(engine):
    clock.set(datetime(2098, 10, 23, 9, 0, tzinfo=UTC))
    case = Case(engine, measure="nybyggnad")
    case.complete("triage", **TRIAGE_COMPLETE, track="standard")
    clock.set(datetime.fromisoformat(case.data["completeness"]["extension_reminder_at"]) + timedelta(minutes=1))
    case.engine.fire_due_timers(case.wf, case.events)
    case.complete("consider_extension", extend=True, extension_weeks=6, extension_reason="Remissen dröjer.")
    assert "extended" in case.host.events and case.ready() == ["review"]


def test_extension_prompt_is_not_offered_again_once_the_deadline_was_extended(engine):
    clock.set(datetime(2098, 10, 23, 9, 0, tzinfo=UTC))
    case = Case(engine, measure="nybyggnad")
    case.complete("triage", **TRIAGE_COMPLETE, track="standard")
    clock.set(datetime.fromisoformat(case.data["completeness"]["extension_reminder_at"]) + timedelta(minutes=1))
    case.engine.fire_due_timers(case.wf, case.events)
    case.complete("consider_extension", extend=True, extension_weeks=10, extension_reason="Remissen dröjer.")
    case.complete("review", assessment="OK.", referrals=[], neighbours_required=False)
    # the draft's reminder fires at once (its time has passed) and finds nothing left to extend
    assert case.ready() == ["draft_decision"]
    assert "extension_not_needed" in [step["element"] for step in case.wf_path()]


def test_a_timely_appeal_holds_the_decision_until_the_ruling_is_recorded(engine):
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    case = Case(engine, measure="plank")
    case.complete("triage", **TRIAGE_COMPLETE, track="simple")
    case.complete("coordinator_decision", outcome="granted", decision_text="Beviljas.")
    case.host.appeal = "forwarded"  # staff registered a timely appeal: the case is told
    case.engine.deliver_message(case.wf, "appeal_period_changed", {}, case.events)
    case.roundtrip()
    snap = case.snapshot()
    assert snap.statuses == ["appealed"] and snap.timers == [] and not case.wf.is_completed()
    case.host.appeal = "stands"  # the ruling is recorded
    case.engine.deliver_message(case.wf, "appeal_period_changed", {}, case.events)
    case.roundtrip()
    assert case.snapshot().statuses == ["decided"] and case.data["appeal_check"]["state"] == "running"
    case.close_after_appeal_window()
