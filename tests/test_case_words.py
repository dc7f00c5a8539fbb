"""The case's path and history in the reader's language: step and task names in Swedish in the Swedish UI
(the diagram's title_sv), the diagram's English names in the English UI."""
from __future__ import annotations

import re

import pytest

from tests.helpers import TRIAGE_COMPLETE, Api
from tests.test_web import Browser


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def heard_case(api) -> int:
    case_id = api.as_("applicant").submit(measure="tillbyggnad", deviates_from_plan=True)["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "committee", "neighbours_required": True})
    api.as_("officer").complete("review", {"assessment": "Avviker.", "referrals": [], "neighbours_required": True})
    return case_id


def card(page: str, heading: str) -> str:
    """The text of the card under ``heading``, tags stripped."""
    part = page[page.index(f"<h2>{heading}</h2>"):]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part[:part.index("</ol>")]))


def test_staff_read_the_path_and_history_of_a_case_in_swedish(app, api):
    case_id = heard_case(api)
    browser = Browser(app)
    browser.login("olga")
    page = browser.get(f"/cases/{case_id}").get_data(as_text=True)
    path = card(page, "Ärendets gång hittills")
    assert "Registrera ärendet" in path and "Regeln om grannehörande" in path and "Granska ansökan" in path
    assert "Register case" not in path and "Neighbour hearing rule" not in path and "Triage application" not in path
    assert "Bygglov, rivningslov och marklov · Version 1" in page and "building_permit" not in page  # no key
    history = card(page, "Ärendehistorik")
    assert "Uppgift slutförd · Granska ansökan" in history and "Uppgift redo · Förbered grannehörandet" in history
    assert "Automatiskt steg utfört · Regeln om grannehörande" in history
    assert "Triage application" not in history and "Prepare the neighbour hearing" not in history


def test_the_applicant_reads_the_tasks_done_in_swedish_and_in_english(app, api):
    case_id = heard_case(api)
    anna = Browser(app)
    anna.login("anna")
    page = anna.get(f"/portal/cases/{case_id}").get_data(as_text=True)
    assert "Granska ansökan" in page and "Handlägg ärendet" in page
    assert "Triage application" not in page and "Review application" not in page
    anna.post_form(f"/portal/cases/{case_id}", "/lang/en", {})
    page = anna.get(f"/portal/cases/{case_id}").get_data(as_text=True)
    assert "Triage application" in page and "Granska ansökan" not in page
