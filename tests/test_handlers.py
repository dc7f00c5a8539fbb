"""Service-task handlers on their own, with a small fake host."""
from dataclasses import dataclass, field, replace
from datetime import datetime, UTC

import pytest

from app.letters.variables import check_variables
from handlers import REGISTRY
from handlers.registry import HandlerContext, HandlerError, HandlerInputError

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class FakeHost:
    numbers: dict = field(default_factory=dict)
    sent: list = field(default_factory=list)
    events: list = field(default_factory=list)
    letters: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    due: str | None = None
    window_ends: str | None = "2026-03-13"

    def publish_notice(self, kind, title, text, until):
        self.notices.append((kind, title, text, until))
        return {"notice_id": len(self.notices), "channel": "anslagstavla", "posted_on": "2026-03-02", "until": until}

    def send_letter(self, kind, values, recipient=None):
        assert check_variables(kind, dict(values)) == [], f"{kind}: variables differ from the documented ones"
        self.letters.append((kind, dict(values)))
        return {"document_id": len(self.letters), "kind": kind, "language": "sv"}

    def has_event(self, kind):
        return any(k == kind for k, _ in self.events)

    def statutory_clock(self, case_type=None):
        return {"statutory_due": self.due, "statutory_start": "2026-01-01", "statutory_weeks": 10,
                "order_window_ends": self.window_ends}

    def extend_deadline(self, reason, weeks=None):
        return {"statutory_due": "2099-01-01", "extension_weeks": weeks or 10}

    def next_number(self, series, year):
        self.numbers[(series, year)] = self.numbers.get((series, year), 41) + 1
        return self.numbers[(series, year)]

    def notify(self, notification):
        self.sent.append(notification)

    def record_event(self, kind, data):
        self.events.append((kind, data))

    served: list = field(default_factory=list)

    def serve(self, document_id):
        self.served.append(document_id)
        return {"party_id": len(self.served), "email": "a@example.se"}


def ctx(host, **data):
    return HandlerContext(case_id=7, reference="BYGG 2026-000042", element_id="x", now=NOW,
                          data={"applicant_email": "a@example.se", "applicant_name": "A", **data},
                          settings={"timezone": "Europe/Stockholm", "reference_prefix": "BYGG"}, host=host)


def test_register_case_gives_a_yearly_reference_and_acknowledges():
    host = FakeHost()
    result = REGISTRY["register_case"].fn(replace(ctx(host), reference=None))
    assert result["reference"] == "BYGG 2026-000042"
    assert [kind for kind, _ in host.letters] == ["acknowledgement"]
    assert host.events[0][0] == "received"


def test_register_case_later_in_a_process_keeps_the_reference_given_on_arrival():
    host = FakeHost()
    result = REGISTRY["register_case"].fn(replace(ctx(host), reference="ANM 2026-000007"))
    assert result["reference"] == "ANM 2026-000007" and host.numbers == {} and host.events == []


def test_order_supplement_sets_the_deadline_at_the_end_of_the_local_reply_day():
    host = FakeHost()
    result = REGISTRY["order_supplement"].fn(ctx(host), request="Fasadritning saknas", reply_by="2026-03-23")
    # 23:59:59 in Stockholm (CET, UTC+1) is 22:59:59 UTC
    assert result["reply_deadline"] == "2026-03-23T22:59:59+00:00"
    [(kind, letter)] = host.letters
    assert kind == "supplement_order"
    assert (letter["request"], letter["reply_by"]) == ("Fasadritning saknas", "2026-03-23")
    assert result["letter"] == 1


@pytest.mark.parametrize("reply_by, message", [("2026-03-02", "after today"), ("soon", "must be a date")])
def test_order_supplement_refuses_a_reply_date_that_cannot_work(reply_by, message):
    with pytest.raises(HandlerInputError) as err:
        REGISTRY["order_supplement"].fn(ctx(FakeHost()), request="x", reply_by=reply_by)
    assert err.value.field == "reply_by" and message in err.value.message


def test_fee_marks_start_notice_as_not_reducible():
    fee = REGISTRY["compute_fee"].fn(ctx(FakeHost(), neighbours_required=True), case_type="bygglov",
                                     measure="nybyggnad", area_m2=100)
    items = {line["item"]: line for line in fee["lines"]}
    assert items["decision"]["amount"] == 6000 + 40 * 100
    assert items["neighbour_notices"]["reducible"] and not items["start_notice"]["reducible"]
    assert fee["total"] == sum(line["amount"] for line in fee["lines"])
    assert fee["reducible"] == fee["total"] - items["start_notice"]["amount"]


def test_record_decision_announces_the_outcome():
    host = FakeHost()
    result = REGISTRY["record_decision"].fn(ctx(host, decision_text="Bygglov beviljas.", case_type="bygglov"),
                                            outcome="granted",
                                            decided_by="simple")
    assert result["outcome"] == "granted" and result["published"] is True
    [(kind, letter)] = host.letters
    assert kind == "decision" and letter["decision"]["outcome"] == "granted"
    assert letter["decision"]["decided_by"] == "coordinator" and letter["decision"]["text"] == "Bygglov beviljas."
    assert letter["start_notice_required"] is True and letter["validity"]["start_years"] == 2


def test_record_decision_refuses_an_unknown_outcome():
    with pytest.raises(HandlerInputError):
        REGISTRY["record_decision"].fn(ctx(FakeHost()), outcome="maybe", decided_by="simple")


@pytest.mark.parametrize("due, fifths", [("2026-03-02", 0), ("2026-03-01", 1), ("2026-02-23", 1),
                                         ("2026-02-22", 2), ("2025-12-01", 5)])
def test_fee_drops_one_fifth_of_the_reducible_part_per_started_week_late(due, fifths):
    # decided 2026-03-02 (NOW in Stockholm)
    fee = REGISTRY["compute_fee"].fn(ctx(FakeHost(due=due)), case_type="bygglov", measure="nybyggnad", area_m2=0)
    assert fee["reduction_fifths"] == fifths
    assert fee["reduction"] == round(fee["reducible"] * fifths / 5)
    assert fee["total"] == fee["before_reduction"] - fee["reduction"]


def test_neighbours_get_the_configured_response_period_to_the_end_of_the_local_day():
    result = REGISTRY["send_neighbour_notices"].fn(ctx(FakeHost()), channel="notice_board")
    assert result["last_day"] == "2026-03-23"
    assert result["response_due"] == "2026-03-23T22:59:59+00:00"


def test_supplement_window_reminder_goes_to_coordinators_unless_an_order_was_made():
    host = FakeHost()
    assert REGISTRY["remind_supplement_window"].fn(ctx(host))["sent"] is True
    assert host.sent[0].recipient == "group:coordinator"
    host = FakeHost(events=[("supplement_ordered", {})])
    assert REGISTRY["remind_supplement_window"].fn(ctx(host))["sent"] is False and host.sent == []


def test_decision_is_served_on_the_applicant_and_its_kungorelse_runs_four_weeks_to_a_working_day():
    host = FakeHost()
    decision = REGISTRY["record_decision"].fn(ctx(host, case_type="bygglov"), outcome="granted", decided_by="simple")
    assert host.served == [decision["letter"]] and "appeal_until" not in decision
    [(_, _, _, until)] = host.notices
    assert until == "2026-03-30"  # decided Monday 2 March: four weeks later is a Monday


def test_legal_force_is_the_day_the_period_ended_and_validity_runs_from_it():
    decision = {"outcome": "granted", "decided_at": NOW.isoformat()}
    check = {"state": "legal_force", "legal_force_on": "2028-02-29"}
    # the step runs days later (the scheduler was down): the date is still the period's
    legal = REGISTRY["record_legal_force"].fn(ctx(FakeHost(), decision=decision, appeal_check=check,
                                                  case_type="bygglov"))
    assert legal["date"] == "2028-02-29" and (legal["start_by"], legal["finish_by"]) == ("2030-02-28", "2033-02-28")
    advance = REGISTRY["record_legal_force"].fn(ctx(FakeHost(), decision=decision, appeal_check=check,
                                                    case_type="forhandsbesked"))
    assert advance["binding_until"] == "2030-02-28" and "start_by" not in advance


def test_an_appeal_period_that_would_wake_in_the_past_stops_with_an_error_instead_of_looping():
    class StaleHost(FakeHost):
        def appeal_period(self, decision):  # says "running" although its day of legal force has begun
            return {"state": "running", "legal_force_on": "2026-03-02", "appeal_last_day": "2026-03-01",
                    "published_on": None, "decided_on": "2026-02-01", "parties": [], "appeals": []}

    with pytest.raises(HandlerError, match="not after now"):
        REGISTRY["check_appeal_period"].fn(ctx(StaleHost(), decision={"outcome": "granted"}))
