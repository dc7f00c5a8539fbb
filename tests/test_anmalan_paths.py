"""Every path of anmalan.bpmn (anmälan for attefall and similar measures) through the engine, with a save/restore
round trip after every step: registration, check, supplement order, technical consultation when needed, start
notice; nothing is published."""
from __future__ import annotations

from datetime import datetime, UTC

import pytest
from SpiffWorkflow.util.task import TaskState

from app.clock import clock
from app.engine.runtime import ProcessEngine
from app.engine.specs import parse_bundle
from app.engine.store import SpecCache, specs_to_json
from app.services.processes import RULES, read_directory
from handlers import REGISTRY
from handlers.registry import HandlerContext
from tests.conftest import PROCESSES
from tests.test_process_paths import Host

ANMALAN = 2


def notification(**overrides) -> dict:
    data = {"applicant_name": "Anna Andersson", "applicant_email": "anna@example.se",
            "property_designation": "Umeå Tallen 4:12", "measure": "attefallshus",
            "description": "Ett attefallshus på 25 m² som gäststuga.", "area_m2": 25.0, "near_boundary": False,
            "neighbour_consent": None, "certified_expert": None}
    return data | overrides


@pytest.fixture(scope="module")
def engine():
    bundle = parse_bundle(read_directory(PROCESSES), RULES)
    cache = SpecCache()
    cache.put(ANMALAN, specs_to_json(*bundle.specs["anmalan"]))
    return ProcessEngine(REGISTRY, cache)


class Notification:
    """Drives one anmälan, reloading it from JSON after every step."""

    def __init__(self, engine, **data):
        self.engine, self.host, self.events = engine, Host(), []
        self.wf = engine.new(ANMALAN, {"case_type": "anmalan", **notification(**data)}, self.context_for)
        engine.run(self.wf, self.events)
        self.roundtrip()

    def context_for(self, step):
        return HandlerContext(case_id=1, reference=None, element_id=step.element_id, now=clock.now(),
                              data=dict(step.data), host=self.host,
                              settings={"timezone": "Europe/Stockholm", "reference_prefix": "ANM"})

    def roundtrip(self):
        state = self.engine.dump(self.wf)
        self.wf = self.engine.load(state, self.context_for)
        assert self.engine.dump(self.wf) == state

    def ready(self):
        return sorted(t.task_spec.bpmn_id for t in self.wf.get_tasks(state=TaskState.READY, manual=True))

    def complete(self, name, **data):
        task = next(t for t in self.wf.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id == name)
        self.engine.complete_task(self.wf, str(task.id), data, self.events)
        self.roundtrip()

    def fire_timers_at(self, moment: datetime):
        clock.set(moment)
        self.engine.fire_due_timers(self.wf, self.events)
        self.roundtrip()

    def snapshot(self):
        return self.engine.snapshot(self.wf, [])

    @property
    def data(self):
        return self.engine.case_data(self.wf)

    def assert_closed_with(self, outcome: str):
        assert self.wf.is_completed() and self.snapshot().statuses == ["closed"]
        assert self.data["decision"]["outcome"] == outcome and self.data["decision"]["published"] is False


def test_a_complete_attefall_notification_gets_its_start_notice_without_consultation(engine):
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    case = Notification(engine)
    assert case.data["registration"]["reference"] == "ANM 2026-000001"
    assert case.ready() == ["check_notification"] and case.snapshot().statuses == ["in_review"]
    assert [t.group for t in case.snapshot().ready] == [None]  # its lane (Officer) decides
    case.complete("check_notification", complete=True, consultation_needed=False)
    assert case.ready() == ["decide_start_notice"] and case.snapshot().statuses == ["awaiting_decision"]
    case.complete("decide_start_notice", outcome="granted", decision_text="Åtgärden uppfyller kraven.",
                  control_plan="Egenkontroll av grundläggning och bärande konstruktion.")
    case.assert_closed_with("granted")
    assert case.host.events == ["received", "complete", "decided"]
    assert [line["item"] for line in case.data["fee"]["lines"]] == ["decision", "start_notice"]  # not published
    assert case.host.letters == ["acknowledgement", "receipt", "decision"]


def test_a_technical_consultation_is_held_when_needed_and_its_control_plan_is_offered(engine):
    case = Notification(engine, measure="barande_konstruktion", description="Ny bärande vägg.", area_m2=None)
    case.complete("check_notification", complete=True, consultation_needed=True)
    assert case.ready() == ["technical_consultation"] and case.snapshot().statuses == ["in_review"]
    case.complete("technical_consultation", held_on="2026-03-10", minutes="Genomgång av konstruktionen.",
                  control_plan="Kontrollansvarig intygar bärförmågan.")
    assert case.ready() == ["decide_start_notice"]
    case.complete("decide_start_notice", outcome="granted", decision_text="Startbesked ges.",
                  control_plan=case.data["control_plan"])
    case.assert_closed_with("granted")
    assert case.data["control_plan"] == "Kontrollansvarig intygar bärförmågan."


def test_an_incomplete_notification_waits_for_the_supplement_and_is_checked_again(engine):
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    case = Notification(engine)
    case.complete("check_notification", complete=False, consultation_needed=False,
                  supplement_request="Situationsplan med avstånd till tomtgräns saknas.", reply_by="2026-03-23")
    snap = case.snapshot()
    assert case.ready() == [] and snap.statuses == ["awaiting_supplement"]
    assert [m for m, _ in snap.messages] == ["supplement_received"]
    assert [t.due_at for t in snap.timers] == [datetime(2026, 3, 23, 22, 59, 59, tzinfo=UTC)]
    case.engine.deliver_message(case.wf, "supplement_received", {"message": "Situationsplan bifogad."}, case.events)
    case.roundtrip()
    assert case.ready() == ["check_notification"] and case.data["supplement"]["message"] == "Situationsplan bifogad."
    case.complete("check_notification", complete=True, consultation_needed=False)
    case.complete("decide_start_notice", outcome="refused", decision_text="Byggnaden är för stor för en anmälan.")
    case.assert_closed_with("refused")
    assert case.host.events == ["received", "supplement_ordered", "complete", "decided"]


def test_an_unanswered_supplement_order_lets_the_officer_dismiss_the_notification(engine):
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    case = Notification(engine)
    case.complete("check_notification", complete=False, consultation_needed=False,
                  supplement_request="Ritningar saknas.", reply_by="2026-03-23")
    case.fire_timers_at(datetime(2026, 3, 23, 22, 0, tzinfo=UTC))
    assert case.ready() == []  # the reply day is not over yet in Stockholm
    case.fire_timers_at(datetime(2026, 3, 23, 23, 0, tzinfo=UTC))
    assert case.ready() == ["supplement_overdue"]
    case.complete("supplement_overdue", action="dismiss", overdue_notes="Inget svar.")
    case.assert_closed_with("dismissed")
    assert "fee" not in case.data and case.data["decision"]["grounds"] == "supplement_not_received"
    assert case.host.letters[-1] == "decision"


def test_an_unanswered_supplement_order_can_be_decided_as_it_stands(engine):
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    case = Notification(engine, measure="eldstad", description="Ny braskamin.", area_m2=None)
    case.complete("check_notification", complete=False, consultation_needed=False,
                  supplement_request="Intyg om brandskydd saknas.", reply_by="2026-03-05")
    case.fire_timers_at(datetime(2026, 3, 6, 9, 0, tzinfo=UTC))
    case.complete("supplement_overdue", action="decide_as_is")
    assert case.ready() == ["decide_start_notice"]
    case.complete("decide_start_notice", outcome="refused", decision_text="Underlaget visar inte att kraven uppfylls.")
    case.assert_closed_with("refused")


def test_the_notification_process_declares_who_starts_it_and_how_its_cases_are_named():
    props = parse_bundle(read_directory(PROCESSES), RULES).process_properties["anmalan"]
    assert (props["public"], props["reference_prefix"], props["rule_set"], props["case_type"]) == \
        (True, "ANM", "pbl", "anmalan")
    assert props["start_roles"] == ["applicant", "staff"] and props["case_title"] == "{property_designation}"

