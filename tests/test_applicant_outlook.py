"""What the applicant is told: expectations before applying, a named contact, whose turn, when to expect a decision."""
from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import TRIAGE_COMPLETE, Api
from tests.scenario import on, order_supplement, plus, reply

DAY0 = date(2026, 3, 2)
AUTHORITY = {"name": "Byggnadsnämnden", "email": "bygg@kommun.example", "phone": "010-123 45 67"}


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def day(n: int) -> str:
    return plus(DAY0, n).isoformat()


def submit(api, **application) -> int:
    return api.as_("applicant").submit(**application)["id"]


def test_a_new_case_shows_the_authority_until_the_coordinator_who_triaged_it_becomes_its_contact(api):
    on(api, DAY0)
    case_id = submit(api)
    assert api.as_("applicant").case(case_id)["contact"] == AUTHORITY
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id=case_id)
    contact = api.as_("applicant").case(case_id)["contact"]
    assert contact == {"name": "Carl", "email": "carl@example.se", "phone": AUTHORITY["phone"]}
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."},
                                    case_id=case_id)
    assert api.as_("applicant").case(case_id)["contact"]["name"] == "Carl"  # the first one stays


def test_staff_hand_a_case_to_another_contact_and_the_change_is_in_the_audit_trail(api):
    on(api, DAY0)
    case_id = submit(api)
    r = api.as_("coordinator").post(f"/api/cases/{case_id}/contact", {"username": "olga"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["name"] == "Olga" and r.get_json()["username"] == "olga"
    assert api.as_("applicant").case(case_id)["contact"]["email"] == "olga@example.se"
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id=case_id)
    assert api.as_("applicant").case(case_id)["contact"]["name"] == "Olga"  # a chosen contact is kept
    audit = api.as_("admin").get(f"/api/cases/{case_id}/audit").get_json()
    changes = [e for e in audit if e["action"] == "case.contact_changed"]
    assert [(e["actor"], e["details"]["to"]) for e in changes] == [("carl", "olga")]


@pytest.mark.parametrize(("role", "username", "status", "field"), [
    ("applicant", "olga", 403, None),
    ("coordinator", "nobody", 422, "username"),
    ("coordinator", "bertil", 422, "username"),  # an applicant cannot be the municipality's contact
])
def test_a_contact_change_that_cannot_be_made_is_refused_and_says_why(api, role, username, status, field):
    on(api, DAY0)
    case_id = submit(api)
    r = api.as_(role).post(f"/api/cases/{case_id}/contact", {"username": username})
    assert r.status_code == status, r.get_json()
    if field:
        assert [e["field"] for e in r.get_json()["errors"]] == [field]
    assert api.as_("applicant").case(case_id)["contact"] == AUTHORITY


def test_the_expected_decision_date_moves_on_while_the_case_waits_for_the_applicant(api):
    on(api, DAY0)
    case_id = submit(api, measure="plank")  # service goal 40 days, statutory 10 weeks
    case = api.as_("applicant").case(case_id)
    assert (case["turn"], case["expected_decision_date"]) == ("municipality", day(40))
    on(api, plus(DAY0, 5))
    order_supplement(api, case_id, reply_by=plus(DAY0, 30))
    on(api, plus(DAY0, 15))
    case = api.as_("applicant").case(case_id)
    assert (case["turn"], case["expected_decision_date"]) == ("applicant", day(50))  # 10 days waited
    reply(api, case_id)
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id=case_id)
    case = api.as_("applicant").case(case_id)
    assert (case["turn"], case["expected_decision_date"]) == ("municipality", day(50))
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."},
                                    case_id=case_id)
    case = api.as_("applicant").case(case_id)
    assert (case["turn"], case["expected_decision_date"]) == (None, None)


def test_the_expected_decision_date_is_never_after_the_statutory_deadline_nor_in_the_past(api, rt):
    rt.settings.service_goals_json = '{"nybyggnad": 120}'
    on(api, DAY0)
    case_id = submit(api, measure="nybyggnad")
    assert api.as_("applicant").case(case_id)["expected_decision_date"] == day(70)
    on(api, plus(DAY0, 80))  # the deadline has passed and nothing is decided: expect it any day now
    assert api.as_("applicant").case(case_id)["expected_decision_date"] == day(80)


def test_expectations_before_applying_need_no_login_and_wait_for_enough_cases(api, client, rt):
    rt.settings.expectations_cache_s = 0
    rt.settings.expectations_min_cases = 3
    r = client.get("/api/expectations?process=building_permit&measure=plank")
    assert r.status_code == 200
    assert r.get_json() == {"statutory_days": 70, "service_goal_days": 40, "recent_median_days": None,
                            "recent_p90_days": None, "recent_cases": 0}
    for arrival, took in ((DAY0, 10), (plus(DAY0, 1), 20), (plus(DAY0, 2), 60)):
        on(api, arrival)
        case_id = submit(api, measure="plank")
        on(api, plus(arrival, took))
        api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id=case_id)
        api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Ja."},
                                        case_id=case_id)
    found = client.get("/api/expectations?process=building_permit&measure=plank").get_json()
    assert found == {"statutory_days": 70, "service_goal_days": 40, "recent_median_days": 20,
                     "recent_p90_days": 60, "recent_cases": 3}
    other = client.get("/api/expectations?process=building_permit&measure=mur").get_json()
    assert other["recent_cases"] == 0 and other["recent_median_days"] is None


def test_expectations_for_an_attefall_measure_count_the_four_weeks_of_an_anmalan(client):
    found = client.get("/api/expectations?process=building_permit&measure=attefall").get_json()
    assert found["statutory_days"] == 28


@pytest.mark.parametrize(("query", "field"), [
    ("process=building_permit", "measure"),
    ("measure=plank", "process"),
    ("process=no_such_process&measure=plank", "process"),
])
def test_expectations_for_a_process_or_measure_not_given_or_unknown_are_refused(client, query, field):
    r = client.get(f"/api/expectations?{query}")
    assert r.status_code == 422
    assert [e["field"] for e in r.get_json()["errors"]] == [field]


def test_letters_after_triage_name_the_applicants_contact(api):
    from tests.test_letters import documents, download, pdf_text

    on(api, DAY0)
    case_id = submit(api)
    acknowledgement = pdf_text(download(api, "applicant", documents(api, "applicant", case_id)[0]))
    assert "kontaktperson" not in acknowledgement  # nobody named yet: the footer gives the authority
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id=case_id)
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."},
                                    case_id=case_id)
    [decision] = [d for d in documents(api, "applicant", case_id) if d["kind"] == "decision"]
    assert "Din kontaktperson: Carl, 010-123 45 67, carl@example.se" in pdf_text(download(api, "applicant", decision))


def test_the_portal_case_page_says_whose_turn_it_is_when_to_expect_a_decision_and_who_to_call(app, api):
    from tests.test_web import Browser

    on(api, DAY0)
    case_id = submit(api)
    on(api, plus(DAY0, 3))
    order_supplement(api, case_id, reply_by=plus(DAY0, 30))
    anna = Browser(app)
    anna.login("anna")
    html = anna.get(f"/portal/cases/{case_id}").get_data(as_text=True)
    assert "Det är din tur." in html and "Vi väntar på kompletteringen vi bad dig om." in html
    assert f"Vi räknar med att besluta senast {day(40)}." in html
    assert "Datumet flyttas fram för varje dag vi väntar på dig." in html
    assert "Din kontaktperson" in html and "Carl" in html and "carl@example.se" in html


def test_staff_hand_the_case_to_a_colleague_from_the_case_page(app, api):
    from tests.test_web import Browser

    on(api, DAY0)
    case_id = submit(api)
    carl = Browser(app)
    carl.login("carl")
    page = f"/cases/{case_id}"
    assert "Ingen ännu" in carl.get(page).get_data(as_text=True)
    r = carl.post_form(page, f"/cases/{case_id}/contact", {"username": "olga"}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "Olga är nu sökandens kontaktperson." in html
    assert api.as_("applicant").case(case_id)["contact"]["name"] == "Olga"


def test_a_contact_with_a_direct_phone_is_shown_with_it(api, rt):
    from app.services import users as user_service

    with rt.db.unit_of_work() as session:
        user_service.create_user(session, username="lotta", roles=[], groups=["coordinator"], password="x" * 12,
                                 display_name="Lotta Lots", email="lotta@kommun.example", phone="010-123 45 61")
    on(api, DAY0)
    case_id = submit(api)
    assert api.as_("coordinator").post(f"/api/cases/{case_id}/contact", {"username": "lotta"}).status_code == 200
    assert api.as_("applicant").case(case_id)["contact"] == {
        "name": "Lotta Lots", "email": "lotta@kommun.example", "phone": "010-123 45 61"}


def test_a_phone_number_that_is_not_one_is_refused_naming_the_field(rt):
    from app.services import users as user_service
    from app.services.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused, rt.db.unit_of_work() as session:
        user_service.create_user(session, username="lotta", roles=[], groups=["coordinator"], password="x" * 12,
                                 phone="call me maybe")
    assert [e["field"] for e in refused.value.errors] == ["phone"]


def test_the_apply_page_shows_per_measure_the_law_the_goal_recent_cases_and_a_decision_date(app, api, rt):
    from tests.test_web import Browser

    rt.settings.expectations_cache_s = 0
    on(api, DAY0)
    anna = Browser(app)
    anna.login("anna")
    html = anna.client.get("/portal/apply/building_permit", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    row = html[html.index('data-measure="Plank"'):]
    row = row[:row.index("</tr>")]
    assert "70 dagar" in row and "40 dagar" in row and "Inte tillräckligt många ärenden ännu" in row
    assert f"senast {day(40)}" in row  # the service goal, within the law's ten weeks
    attefall = html[html.index('data-measure="Attefallsåtgärd"'):]
    assert "28 dagar" in attefall[:attefall.index("</tr>")]
