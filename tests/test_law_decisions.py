"""The decision document and what follows from the kind of decision (PBL 9, 10 and 12 kap.), through the API."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from tests.helpers import TRIAGE_COMPLETE, Api
from tests.scenario import on
from tests.test_web import Browser

DAY0 = date(2026, 2, 2)


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def letter(api, case_id: int, kind: str) -> str:
    """The text of the case's (last) letter of ``kind``, read from its PDF."""
    docs = [d for d in api.as_("officer").get(f"/api/cases/{case_id}/documents").get_json() if d["kind"] == kind]
    assert docs, f"no {kind} letter"
    r = api.as_("officer").get(docs[-1]["url"])
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.get_data().startswith(b"%PDF")
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.get_data())).pages).split())


def decided_by_coordinator(api, outcome="granted", **triage) -> int:
    case_id = api.as_("applicant").submit(**triage.pop("application", {}))["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"} | triage, case_id=case_id)
    api.as_("coordinator").complete("coordinator_decision", {"outcome": outcome, "decision_text": "Enligt ansökan.",
                                                             "reasons": "Åtgärden följer detaljplanen."},
                                    case_id=case_id)
    return case_id


def test_granted_permit_letter_has_validity_start_notice_rule_appeal_instructions_and_fee(api):
    text = letter(api, decided_by_coordinator(api), "decision")
    assert "Bygglov beviljas" in text and "Enligt ansökan." in text and "Åtgärden följer detaljplanen." in text
    assert "påbörjats inom 2 år och avslutats inom 5 år från den dag beslutet vann laga kraft" in text
    assert "Åtgärden får inte påbörjas innan byggnadsnämnden har gett ett startbesked" in text
    assert "överklagas till Länsstyrelsen" in text and "inom 3 veckor" in text
    assert "inte direkt till länsstyrelsen" in text
    assert "Att betala" in text and "Kungörelse" in text


def test_committee_decision_letter_shows_the_committees_text_and_minutes_never_the_officers_draft(api):
    case_id = api.as_("applicant").submit(measure="nybyggnad")["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "committee"}, case_id=case_id)
    api.as_("officer").complete("review", {"assessment": "Hög byggnad.", "referrals": [], "neighbours_required": False},
                                case_id=case_id)
    api.as_("officer").complete("draft_decision", {"outcome": "granted", "decision_text": "Förslag: bygglov beviljas.",
                                                   "reasons": "Handläggarens skäl."}, case_id=case_id)
    [task] = api.as_("committee").tasks("committee_decision", case_id)
    r = api.as_("committee").post(f"/api/tasks/{task['id']}/complete",
                                  {"data": {"outcome": "refused", "minutes_reference": "BN 2026-04-12 § 41"}})
    assert r.status_code == 422 and "committee_text" in str(r.get_json())
    api.as_("committee").complete("committee_decision", {
        "outcome": "refused", "committee_text": "Nämnden avslår ansökan.",
        "committee_reasons": "Byggnaden blir för hög för kvarteret.", "minutes_reference": "BN 2026-04-12 § 41"},
        case_id=case_id)
    text = letter(api, case_id, "decision")
    assert "Bygglov avslås" in text and "Nämnden avslår ansökan." in text and "för hög för kvarteret" in text
    assert "BN 2026-04-12 § 41" in text and "av Byggnadsnämnden den" in text
    assert "Förslag" not in text and "Handläggarens skäl" not in text and "delegation" not in text


def test_anmalan_ends_in_a_start_notice_is_not_published_and_pays_no_publication_fee(api):
    case_id = decided_by_coordinator(api, application={"measure": "attefall"}, case_type="anmalan")
    text = letter(api, case_id, "decision")
    assert "Startbesked ges för den anmälda åtgärden" in text
    assert "lov" not in text.split("Beslut", 1)[1].split("Avgift")[0].replace("Startbesked", "")
    assert "Kungörelse" not in text and "kungörs" not in text


def test_forhandsbesked_binds_for_two_years_and_has_no_start_or_finish_validity(api):
    # the delegation order gives advance notices to the case officers (delegation.dmn)
    case_id = api.as_("applicant").submit(measure="nybyggnad")["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "standard", "case_type": "forhandsbesked"},
                                    case_id=case_id)
    api.as_("officer").complete("review", {"assessment": "Lämplig plats.", "referrals": [],
                                           "neighbours_required": False}, case_id=case_id)
    api.as_("officer").complete("draft_decision", {"outcome": "granted", "decision_text": "Enligt ansökan.",
                                                   "reasons": "Platsen är lämplig."}, case_id=case_id)
    text = letter(api, case_id, "decision")
    assert "Positivt förhandsbesked" in text and "bindande" in text and "inom 2 år" in text
    assert "avslutats inom" not in text and "får inte påbörjas innan" not in text


def test_publication_fee_is_charged_only_when_the_decision_is_published(api):
    dismissed = letter(api, decided_by_coordinator(api, outcome="dismissed"), "decision")
    assert "Ansökan avvisas" in dismissed and "Kungörelse" not in dismissed and "kungörs" not in dismissed
    granted = letter(api, decided_by_coordinator(api, outcome="granted"), "decision")
    assert "Kungörelse 900 kr" in granted and "Beslutet kungörs" in granted


def test_late_decision_letter_states_the_reduction_and_its_rule(api):
    on(api, DAY0)
    case_id = api.as_("applicant").submit(measure="nybyggnad")["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id=case_id)
    on(api, DAY0 + timedelta(weeks=10, days=3))  # three days late: one started week
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Beviljas."},
                                    case_id=case_id)
    text = letter(api, case_id, "decision")
    assert "1/5" in text and "PBL 12 kap. 8 a §" in text and "efter tidsfristen" in text


def test_withdrawal_is_an_avskrivning_with_its_own_fee_no_appeal_and_is_shown_as_withdrawn_once(app, api):
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "standard"}, case_id=case_id)
    r = api.as_("applicant").post(f"/api/cases/{case_id}/withdraw", {"reason": "Vi bygger inte."})
    assert r.status_code == 200 and (r.get_json()["status"], r.get_json()["outcome"]) == ("withdrawn", "withdrawn")
    kinds = [d["kind"] for d in api.as_("applicant").get(f"/api/cases/{case_id}/documents").get_json()]
    assert kinds == ["acknowledgement", "receipt", "withdrawal"]
    text = letter(api, case_id, "withdrawal")
    assert "Ärendet avskrivs" in text and "inte prövats i sak" in text and "Vi bygger inte." in text
    assert "Avskrivning av ärendet 1 200 kr" in text and "överklag" not in text
    browser = Browser(app)
    browser.login("anna")
    page = browser.get(f"/portal/cases/{case_id}").get_data(as_text=True)
    assert 'id="withdrawn"' in page and 'id="decision"' not in page
    assert page.count("badge status-withdrawn") == 1 and "outcome-withdrawn" not in page
    assert "kan överklagas" not in page and "1200 SEK" in page  # no appeal instructions or window
    history = [e["action"] for e in api.as_("applicant").get(f"/api/cases/{case_id}/history").get_json()]
    assert "case.withdrawn" in history and "case.decided" not in history
