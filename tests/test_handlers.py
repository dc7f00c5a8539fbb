"""Service-task handlers on their own, with a small fake host."""
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest

from handlers import REGISTRY
from handlers.registry import HandlerContext, HandlerInputError

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@dataclass
class FakeHost:
    numbers: dict = field(default_factory=dict)
    sent: list = field(default_factory=list)
    events: list = field(default_factory=list)

    def next_number(self, series, year):
        self.numbers[(series, year)] = self.numbers.get((series, year), 41) + 1
        return self.numbers[(series, year)]

    def notify(self, notification):
        self.sent.append(notification)

    def record_event(self, kind, data):
        self.events.append((kind, data))


def ctx(host, **data):
    return HandlerContext(case_id=7, reference="BYGG 2026-000042", element_id="x", now=NOW,
                          data={"applicant_email": "a@example.se", "applicant_name": "A", **data},
                          settings={"timezone": "Europe/Stockholm", "reference_prefix": "BYGG"}, host=host)


def test_register_case_gives_a_yearly_reference_and_acknowledges():
    host = FakeHost()
    result = REGISTRY["register_case"].fn(ctx(host))
    assert result["reference"] == "BYGG 2026-000042"
    assert host.sent[0].recipient == "a@example.se" and "BYGG 2026-000042" in host.sent[0].subject
    assert host.events[0][0] == "received"


def test_order_supplement_sets_the_deadline_at_the_end_of_the_local_reply_day():
    host = FakeHost()
    result = REGISTRY["order_supplement"].fn(ctx(host), request="Fasadritning saknas", reply_by="2026-03-23")
    # 23:59:59 in Stockholm (CET, UTC+1) is 22:59:59 UTC
    assert result["reply_deadline"] == "2026-03-23T22:59:59+00:00"
    assert "avvisas" in host.sent[0].body


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
    result = REGISTRY["record_decision"].fn(ctx(host, decision_text="Bygglov beviljas."), outcome="granted",
                                            decided_by="simple")
    assert result["outcome"] == "granted" and result["published"] is True
    assert "beviljas" in host.sent[0].subject


def test_record_decision_refuses_an_unknown_outcome():
    with pytest.raises(HandlerInputError):
        REGISTRY["record_decision"].fn(ctx(FakeHost()), outcome="maybe", decided_by="simple")
