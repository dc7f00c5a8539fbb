"""Extension of the statutory deadline: chosen up to the original length, with a reason, before the deadline,
once; the applicant gets a letter however it is taken (case page, API, the process's own task)."""
from __future__ import annotations

from datetime import date, timedelta

from babel.dates import format_date
import pytest

from tests.helpers import TRIAGE_COMPLETE, Api
from tests.scenario import deadlines, letters, move, on
from tests.test_web import Browser

DAY0 = date(2026, 2, 2)


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def in_review(api, **triage) -> int:
    on(api, DAY0)
    case_id = api.as_("applicant").submit(measure="nybyggnad")["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "standard"} | triage, case_id=case_id)
    return case_id


def extend(api, case_id, **body):
    return api.as_("officer").post(f"/api/cases/{case_id}/extension", body)


def test_extension_of_fewer_than_ten_weeks_moves_the_deadline_by_the_chosen_weeks(api):
    case_id = in_review(api)
    r = extend(api, case_id, reason="Remiss till Trafikverket behövs.", weeks=4)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["statutory_due"] == (DAY0 + timedelta(weeks=14)).isoformat()
    assert r.get_json()["extension_weeks"] == 4


@pytest.mark.parametrize("weeks, case_type, message", [
    (11, "bygglov", "from 1 to 10"),
    (0, "bygglov", "from 1 to 10"),
    (5, "anmalan", "from 1 to 4"),
    ("tre", "bygglov", "whole number of weeks"),
])
def test_extension_longer_than_the_original_time_limit_is_refused_naming_the_limit(api, weeks, case_type, message):
    case_id = in_review(api, case_type=case_type)
    r = extend(api, case_id, reason="Kompletterande utredning.", weeks=weeks)
    assert r.status_code == 422
    [error] = r.get_json()["errors"]
    assert error["field"] == "extension_weeks" and message in error["message"]
    assert deadlines(api, case_id)["extended"] is False


def test_extension_needs_a_reason_is_made_before_the_deadline_and_only_once(api):
    case_id = in_review(api)
    assert api.as_("applicant").post(f"/api/cases/{case_id}/extension", {"reason": "x"}).status_code == 403
    r = extend(api, case_id, reason="   ")
    assert r.status_code == 422 and "needs a recorded reason" in r.get_json()["errors"][0]["message"]
    r = extend(api, case_id, reason="Resursbrist på avdelningen")
    assert r.status_code == 422 and "lack of staff" in r.get_json()["errors"][0]["message"]
    assert extend(api, case_id, reason="Remissen dröjer.", weeks=2).status_code == 200
    r = extend(api, case_id, reason="Ännu en remiss.")
    assert r.status_code == 422 and "already been extended once" in r.get_json()["errors"][0]["message"]
    late = in_review(api)
    move(api, advance="P71D")
    r = extend(api, late, reason="Komplicerat ärende.")
    assert r.status_code == 422 and "has passed" in r.get_json()["errors"][0]["message"]


def test_applicant_gets_a_letter_when_the_extension_is_taken_through_the_api(api, rt):
    case_id = in_review(api)
    extend(api, case_id, reason="Yttrande från länsstyrelsen behövs.", weeks=6)
    [letter] = letters(rt, case_id, "extension")
    assert letter.recipient == "anna@example.se"
    assert format_date(DAY0 + timedelta(weeks=16), "long", locale="sv_SE") in letter.body and "6 veckor" in letter.body
    assert "Yttrande från länsstyrelsen behövs." in letter.body


def test_applicant_gets_a_letter_when_the_extension_is_taken_on_the_case_page(app, api, rt):
    case_id = in_review(api)
    browser = Browser(app)
    browser.login("olga")
    page = f"/cases/{case_id}"
    assert 'name="weeks"' in browser.get(page).get_data(as_text=True)
    r = browser.post_form(page, f"/cases/{case_id}/extension", {"reason": "Kulturmiljöutredning.", "weeks": "3"})
    assert r.status_code == 302
    assert deadlines(api, case_id)["statutory_due"] == (DAY0 + timedelta(weeks=13)).isoformat()
    [letter] = letters(rt, case_id, "extension")
    assert "3 veckor" in letter.body and "Kulturmiljöutredning." in letter.body


def test_applicant_gets_a_letter_when_the_extension_is_taken_in_the_process_task(api, rt):
    case_id = in_review(api)
    move(api, now=f"{(DAY0 + timedelta(weeks=10) - timedelta(days=14)).isoformat()}T08:01:00+01:00")
    api.as_("officer").complete("consider_extension", {"extend": True, "extension_weeks": 5,
                                                       "extension_reason": "Grannehörandet tar längre tid."})
    assert deadlines(api, case_id)["statutory_due"] == (DAY0 + timedelta(weeks=15)).isoformat()
    [letter] = letters(rt, case_id, "extension")
    assert "5 veckor" in letter.body


def test_extension_reminder_is_not_offered_once_the_deadline_was_extended_elsewhere(api):
    case_id = in_review(api)
    extend(api, case_id, reason="Remissen dröjer.", weeks=10)
    move(api, now=f"{(DAY0 + timedelta(weeks=10) - timedelta(days=14)).isoformat()}T08:01:00+01:00")
    assert [t["name"] for t in api.as_("officer").tasks(case_id=case_id)] == ["review"]
