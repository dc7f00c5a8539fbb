"""A reply date staff set (supplement order, neighbour hearing) lies after today and at most a year ahead (a
setting): 9999-12-31 is a typing mistake, refused naming the field, in the form and in the API."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from handlers import REGISTRY
from handlers.registry import HandlerInputError
from tests.helpers import TRIAGE_COMPLETE, Api, Browser, csrf, reply_by
from tests.test_handlers import FakeHost, ctx

INCOMPLETE = TRIAGE_COMPLETE | {"track": "simple", "complete": False, "supplement_request": "Situationsplan saknas."}


@pytest.mark.parametrize("day, said", [
    ("2027-03-02", None),  # a year after today (2026-03-02) is the last day taken
    ("2027-03-03", "must be at most 365 days ahead (by 2027-03-02)"),
    ("9999-12-31", "must be at most 365 days ahead (by 2027-03-02)"),
])
def test_a_supplement_order_takes_a_reply_date_at_most_a_year_ahead(day, said):
    order = REGISTRY["order_supplement"].fn
    if said is None:
        assert order(ctx(FakeHost()), request="Fasadritning", reply_by=day)["reply_by"] == day
        return
    with pytest.raises(HandlerInputError) as refused:
        order(ctx(FakeHost()), request="Fasadritning", reply_by=day)
    assert refused.value.field == "reply_by" and refused.value.message == said


def test_the_bound_is_a_setting():
    context = ctx(FakeHost())
    context = replace(context, settings={**context.settings, "reply_date_max_days": 30})
    with pytest.raises(HandlerInputError) as refused:
        REGISTRY["order_supplement"].fn(context, request="Fasadritning", reply_by="2026-04-02")
    assert refused.value.message == "must be at most 30 days ahead (by 2026-04-01)"


def test_a_neighbour_hearing_answer_date_far_ahead_is_refused_naming_its_field():
    with pytest.raises(HandlerInputError) as refused:
        REGISTRY["send_neighbour_notices"].fn(ctx(FakeHost()), channel="letters", response_by="9999-12-31")
    assert refused.value.field == "hearing_response_by" and "at most 365 days ahead" in refused.value.message


def test_the_api_refuses_a_reply_date_in_year_9999_naming_the_field_and_keeps_the_task(client, actors):
    api = Api(client, actors)
    case_id = api.as_("applicant").submit()["id"]
    [task] = api.as_("coordinator").tasks("triage", case_id)
    r = api.as_("coordinator").post(f"/api/tasks/{task['id']}/complete",
                                    {"data": INCOMPLETE | {"reply_by": "9999-12-31"}})
    assert r.status_code == 422
    [error] = r.get_json()["errors"]
    assert error["field"] == "reply_by" and error["message"].startswith("must be at most 365 days ahead (by ")
    assert [t["name"] for t in api.as_("coordinator").tasks(case_id=case_id)] == ["triage"]
    ok = api.as_("coordinator").post(f"/api/tasks/{task['id']}/complete",
                                     {"data": INCOMPLETE | {"reply_by": reply_by()}})
    assert ok.status_code == 200


def test_the_triage_form_shows_the_refusal_in_swedish_beside_the_reply_date(app, client, actors):
    api = Api(client, actors)
    case_id = api.as_("applicant").submit()["id"]
    [task] = api.as_("coordinator").tasks("triage", case_id)
    carl = Browser(app)
    carl.login("carl")
    page = carl.client.get(f"/tasks/{task['id']}", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    form = {"case_type": "bygglov", "track": "simple", "neighbours_required": "false", "complete": "false",
            "supplement_request": "Situationsplan saknas.", "reply_by": "9999-12-31", "csrf_token": csrf(page)}
    r = carl.client.post(f"/tasks/{task['id']}/complete", data=form, headers={"Accept-Language": "sv"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    field = re.search(r'data-field="reply_by".*?</div>', html, re.S).group(0)
    assert "får ligga högst 365 dagar fram i tiden (senast " in field
    assert 'value="9999-12-31"' in field  # what was typed is kept
