"""The NKI survey (SKR Insikt): invitation by signed single-use link, reminders, answers, results."""
from __future__ import annotations

import re
from datetime import date

import pytest

from tests.helpers import TRIAGE_COMPLETE, Api
from tests.scenario import letters, move, on, plus, serve_applicant

DAY0 = date(2026, 3, 2)
NKI = ("satisfaction", "expectations", "ideal")
FACTORS = ("information", "accessibility", "treatment", "competence", "legal_certainty", "efficiency")


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def closed_case(api, *, start: date = DAY0, outcome: str = "granted", track: str = "simple", **application) -> int:
    """A case granted (or refused) by the coordinator, run past its appeal window until it closes."""
    on(api, start)
    case_id = api.as_("applicant").submit(**application)["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": track}, case_id=case_id)
    on(api, plus(start, 7))
    api.as_("coordinator").complete("coordinator_decision", {"outcome": outcome, "decision_text": "Beslut."},
                                    case_id=case_id)
    serve_applicant(api, case_id)  # legal force counts from service
    move(api, advance="P40D")
    assert api.as_("officer").case(case_id)["status"] == "closed"
    return case_id


def survey_link(rt, case_id: int, kind: str = "survey_invitation") -> str:
    *_, mail = letters(rt, case_id, kind)
    return re.search(r"https?://\S+/survey/(\S+)", mail.body).group(1)


def full_answer(**scores) -> dict:
    answer = {q: "8" for q in NKI + FACTORS} | {"comment": "Bra bemötande."}
    return answer | {k: str(v) for k, v in scores.items()}


def post(client, token: str, data: dict, action: str = ""):
    from tests.test_web import csrf

    page = client.get(f"/survey/{token}")
    return client.post(f"/survey/{token}{action}", data=data | {"csrf_token": csrf(page.get_data(as_text=True))})


def test_a_closed_case_invites_its_applicant_by_a_letter_with_a_link_that_works_once(api, app, rt):
    case_id = closed_case(api)
    [invitation] = letters(rt, case_id, "survey_invitation")
    assert invitation.recipient == "anna@example.se" and invitation.document_id is not None
    assert "Vad tyckte du om handläggningen" in invitation.subject
    token = survey_link(rt, case_id)
    browser = app.test_client()  # no login
    page = browser.get(f"/survey/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Hur nöjd är du sammantaget" in html and html.count('type="radio" name="satisfaction"') == 10
    r = post(browser, token, full_answer())
    assert r.status_code == 200 and "Tack för dina svar!" in r.get_data(as_text=True)
    again = browser.get(f"/survey/{token}")
    assert again.status_code == 409 and "Du har redan svarat på enkäten." in again.get_data(as_text=True)
    documents = api.as_("applicant").get(f"/api/cases/{case_id}/documents").get_json()
    assert "survey_invitation" in [d["kind"] for d in documents]


def test_answering_twice_is_refused_and_the_first_answer_stands(api, app, rt):
    case_id = closed_case(api)
    token = survey_link(rt, case_id)
    first, second = app.test_client(), app.test_client()
    page = second.get(f"/survey/{token}")  # opened in a second tab before the first answer
    assert post(first, token, full_answer(satisfaction=10)).status_code == 200
    from tests.test_web import csrf

    r = second.post(f"/survey/{token}", data=full_answer(satisfaction=1) | {"csrf_token": csrf(page.get_data(
        as_text=True))})
    assert r.status_code == 409
    result = api.as_("admin").get("/api/insight/nki?from=2026-01-01&to=2026-12-31").get_json()
    assert result["respondents"] == 1


def test_an_applicant_can_say_no_thanks_and_gets_no_reminders(api, app, rt):
    case_id = closed_case(api)
    token = survey_link(rt, case_id)
    r = post(app.test_client(), token, {}, action="/decline")
    assert r.status_code == 200 and "Du hör inte av oss om enkäten igen" in r.get_data(as_text=True)
    move(api, advance="P30D")
    assert letters(rt, case_id, "survey_reminder") == []
    assert app.test_client().get(f"/survey/{token}").status_code == 409


def test_up_to_three_reminders_a_week_apart_each_with_a_fresh_link_then_the_link_expires(api, app, rt):
    case_id = closed_case(api)
    first = survey_link(rt, case_id)
    for _week in range(5):
        move(api, advance="P7D")
    reminders = letters(rt, case_id, "survey_reminder")
    assert len(reminders) == 3
    assert all(m.recipient == "anna@example.se" and "påminnelse" in m.body for m in reminders)
    latest = survey_link(rt, case_id, "survey_reminder")
    assert app.test_client().get(f"/survey/{first}").status_code == 404  # replaced by the newer link
    assert app.test_client().get(f"/survey/{latest}").status_code == 409  # 35 days: past its 30 days
    assert "Enkäten har stängt" in app.test_client().get(f"/survey/{latest}").get_data(as_text=True)


def test_a_forged_or_mangled_link_is_not_valid(api, app, rt):
    case_id = closed_case(api)
    token = survey_link(rt, case_id)
    for bad in (token[:-2] + "xx", "eyJmb28iOiJiYXIifQ", "1.2.3"):
        r = app.test_client().get(f"/survey/{bad}")
        assert r.status_code == 404 and "Länken till enkäten är inte giltig." in r.get_data(as_text=True)


def test_an_incomplete_answer_shows_the_questionnaire_again_naming_what_is_missing(api, app, rt):
    case_id = closed_case(api)
    token = survey_link(rt, case_id)
    browser = app.test_client()
    answer = full_answer(satisfaction=11)
    del answer["ideal"]
    r = post(browser, token, answer | {"information": "none"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert html.count("välj ett värde på skalan") == 2
    assert post(browser, token, full_answer(information="none")).status_code == 200  # "cannot say" is fine


def test_nki_and_factors_follow_insikt_and_stay_hidden_below_the_minimum(api, app, rt):
    rt.settings.survey_min_answers = 3
    tokens = [survey_link(rt, closed_case(api, start=plus(DAY0, i))) for i in range(4)]
    post(app.test_client(), tokens[0], full_answer(satisfaction=10, expectations=10, ideal=10, efficiency=1))
    post(app.test_client(), tokens[1], full_answer(satisfaction=1, expectations=4, ideal=7, efficiency=1))
    hidden = api.as_("admin").get("/api/insight/nki?from=2026-03-01&to=2026-06-30").get_json()
    assert (hidden["respondents"], hidden["invited"], hidden["shown"], hidden["nki"]) == (2, 4, False, None)
    post(app.test_client(), tokens[2], full_answer(satisfaction=10, expectations=10, ideal=10, efficiency=10))
    result = api.as_("admin").get("/api/insight/nki?from=2026-03-01&to=2026-06-30").get_json()
    # per question (scale 1–10): satisfaction 100, 0, 100 → 66.7; expectations 100, 33.3, 100 → 77.8;
    # ideal 100, 66.7, 100 → 88.9; NKI is their mean
    assert result["nki"] == 77.8
    assert result["band"] == "high"
    assert result["factors"]["efficiency"] == pytest.approx(33.3, abs=0.1)
    assert result["factors"]["information"] == pytest.approx(77.8, abs=0.1)
    assert (result["respondents"], result["invited"], result["response_rate"]) == (3, 4, 75.0)
    assert [g["key"] for g in result["by_track"]] == ["simple"]


def test_only_managers_and_administrators_see_the_results(api):
    for role in ("applicant", "coordinator", "officer", "process_owner"):
        assert api.as_(role).get("/api/insight/nki").status_code == 403
    assert api.as_("admin").get("/api/insight/nki").status_code == 200
    r = api.as_("admin").get("/api/insight/nki?from=2026-13-01")
    assert r.status_code == 422 and [e["field"] for e in r.get_json()["errors"]] == ["from"]


def test_a_case_whose_applicant_withdrew_is_invited_like_any_closed_case(api, rt):
    on(api, DAY0)
    case_id = api.as_("applicant").submit()["id"]
    api.as_("applicant").post(f"/api/cases/{case_id}/withdraw", {"reason": "Ändrade planer"})
    move(api, advance="P1D")
    assert len(letters(rt, case_id, "survey_invitation")) == 1
    rt.settings.survey_outcomes_json = '["granted"]'
    other = api.as_("applicant").submit()["id"]
    api.as_("applicant").post(f"/api/cases/{other}/withdraw", {})
    move(api, advance="P1D")
    assert letters(rt, other, "survey_invitation") == []


def test_the_administrator_sees_nki_for_the_period_and_a_manager_too(api, app, rt):
    from tests.test_web import Browser

    rt.settings.survey_min_answers = 1
    token = survey_link(rt, closed_case(api))
    post(app.test_client(), token, full_answer(satisfaction=10, expectations=10, ideal=10))
    adam = Browser(app)
    adam.login("adam")
    html = adam.get("/admin/survey?from=2026-03-01&to=2026-06-30").get_data(as_text=True)
    assert 'id="nki-value">100<' in html and "mycket högt" in html and "1 svar av 1 inbjudna (100.0 %)" in html
    assert "<td>Enkel (koordinatorn beslutar)</td>" in html  # tracks in the process's own words
    carl = Browser(app)
    carl.login("carl")
    assert carl.get("/admin/survey").status_code == 403


def test_exports_give_a_survey_provider_the_closed_cases_and_the_answers_without_names(api, app, rt):
    import csv
    import io

    from tests.test_web import Browser, csrf

    case_id = closed_case(api)
    post(app.test_client(), survey_link(rt, case_id), full_answer(comment="+46 svarar gärna"))
    adam = Browser(app)
    adam.login("adam")
    page = adam.get("/admin/survey?from=2026-01-01&to=2026-12-31").get_data(as_text=True)
    r = adam.client.post("/admin/survey/cases.csv", data={"from": "2026-01-01", "to": "2026-12-31",
                                                          "csrf_token": csrf(page)})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    [row] = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    reference = api.as_("officer").case(case_id)["reference"]
    assert (row["reference"], row["outcome"], row["applicant_email"], row["language"]) == (
        reference, "granted", "anna@example.se", "sv")
    audit = api.as_("admin").get("/api/audit?action=survey.cases_exported").get_json()
    assert len(audit) == 1 and audit[0]["actor"] == "adam"
    answers = adam.get("/admin/survey/answers.csv?from=2026-01-01&to=2026-12-31").get_data(as_text=True)
    [answer] = list(csv.DictReader(io.StringIO(answers)))
    assert answer["satisfaction"] == "8" and answer["comment"] == "'+46 svarar gärna"  # no formula
    assert "anna" not in answers.lower() and reference not in answers
    carl = Browser(app)
    carl.login("carl")
    assert carl.get("/admin/survey/answers.csv").status_code == 403


def test_the_insight_dashboard_shows_nki_once_enough_applicants_answered(api, app, rt, client):
    from tests.test_insight_dashboard import manager_headers

    rt.settings.survey_min_answers = 2
    manager = manager_headers(rt)
    tokens = [survey_link(rt, closed_case(api, start=plus(DAY0, i))) for i in range(2)]
    period = "from=2026-03-01&to=2026-12-31"
    post(app.test_client(), tokens[0], full_answer(satisfaction=10, expectations=10, ideal=10))
    assert client.get(f"/api/insight/summary?{period}", headers=manager).get_json()["nki"] is None  # 1 < 2
    post(app.test_client(), tokens[1], full_answer(satisfaction=1, expectations=1, ideal=1))
    nki = client.get(f"/api/insight/summary?{period}", headers=manager).get_json()["nki"]
    assert nki == {"index": 50.0, "answers": 2}


def test_the_results_page_title_is_only_its_name(api, app):
    from tests.test_web import Browser

    adam = Browser(app)
    adam.login("adam")
    html = adam.client.get("/admin/survey", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert re.search(r"<title>([^<]*)</title>", html).group(1).startswith("Nöjd kund-index (NKI)")
    assert html.count('id="exports"') == 1
