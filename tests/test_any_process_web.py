"""The portal offers every public process with its own form; staff start any process they may start."""
from __future__ import annotations

import pytest

from tests.helpers import Api
from tests.test_any_process import deploy, mini, norr_files
from tests.test_web import Browser


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def html_form(data: dict) -> dict:
    return {k: ("true" if v is True else "false" if v is False else v) for k, v in data.items() if v is not None}


def test_the_portal_offers_each_public_process_with_its_own_words(app, actors):
    anna = Browser(app)
    anna.login("anna")
    page = anna.get("/portal/").get_data(as_text=True)
    assert 'data-process="building_permit"' in page and 'data-process="anmalan"' in page
    assert "Gör en anmälan" in page and "Ansök om bygglov" in page
    form = anna.get("/portal/apply/anmalan").get_data(as_text=True)
    assert 'name="near_boundary"' in form and 'name="in_detailed_plan"' not in form
    assert anna.get("/portal/apply/nothing").status_code == 404


def test_an_applicant_notifies_in_the_portal_and_gets_an_anm_reference(app, api):
    anna = Browser(app)
    anna.login("anna")
    data = {"applicant_name": "Anna Andersson", "applicant_email": "anna@example.se",
            "property_designation": "Umeå Tallen 4:12", "measure": "takkupor", "description": "Två takkupor.",
            "near_boundary": False, "area_m2": "12.5"}
    r = anna.post_form("/portal/apply/anmalan", "/portal/apply/anmalan", html_form(data))
    assert r.status_code == 302
    page = anna.get(r.headers["Location"]).get_data(as_text=True)
    assert "ANM " in page and "Umeå Tallen 4:12" in page
    assert "<td>12,5</td>" in page  # a number as a Swede writes it
    # a notification is called one, not an application
    assert "<h2>Din anmälan</h2>" in page and "Återta anmälan" in page
    assert "Din ansökan" not in page and "Återta ansökan" not in page
    assert "Anmälan inskickad" in page and "Ansökan inskickad" not in page
    listing = anna.get("/portal/").get_data(as_text=True)
    assert "Anmälan (attefall och liknande åtgärder)" in listing and "Takkupor" in listing


def test_a_refused_notification_keeps_what_was_typed(app, api):
    anna = Browser(app)
    anna.login("anna")
    data = {"applicant_name": "Anna", "applicant_email": "anna@example.se", "property_designation": "Umeå Tallen 4:12",
            "measure": "eldstad", "description": "Braskamin", "near_boundary": True}
    r = anna.post_form("/portal/apply/anmalan", "/portal/apply/anmalan", html_form(data))
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and 'value="Braskamin"' not in page and "Braskamin</textarea>" in page
    assert 'data-field="neighbour_consent"' in page
    assert api.as_("applicant").get("/api/cases").get_json() == []


def test_a_process_not_public_is_not_in_the_portal(app, client, actors):
    assert deploy(client, actors, mini()).status_code == 201
    anna = Browser(app)
    anna.login("anna")
    assert 'data-process="mini"' not in anna.get("/portal/").get_data(as_text=True)
    assert anna.get("/portal/apply/mini").status_code == 404


def test_staff_start_a_case_with_the_process_start_form(app, client, actors, api):
    assert deploy(client, actors, norr_files() | {"norr.bpmn": norr_files()["norr.bpmn"]
                                                  .replace('name="Bygglov Norr"', 'name="Officer"')}).status_code == 201
    carl = Browser(app)
    carl.login("carl")
    assert 'data-process="sign_north"' in carl.get("/cases/new").get_data(as_text=True)
    r = carl.post_form("/cases/new/sign_north", "/cases/new/sign_north", {"property_designation": "Luleå 1:1",
                                                                          "sign_text": "", "lit": "true"})
    assert r.status_code == 422 and 'data-field="sign_text"' in r.get_data(as_text=True)
    r = carl.post_form("/cases/new/sign_north", "/cases/new/sign_north", {"property_designation": "Luleå 1:1",
                                                                          "sign_text": "Kiosken", "lit": "false"})
    assert r.status_code == 302
    page = carl.get(r.headers["Location"]).get_data(as_text=True)
    assert "SKYLT " in page and "Kiosken (Luleå 1:1)" in page
    listing = carl.get("/cases").get_data(as_text=True)
    assert "Skyltlov, norra distriktet" in listing and "Kiosken (Luleå 1:1)" in listing
    # a yes/no list column reads as its label and the answer in words
    assert "Kiosken (Luleå 1:1) · Belyst nattetid: Nej" in listing and "False" not in listing


def test_staff_start_a_process_without_a_start_form_with_one_click(app, client, actors, api):
    assert deploy(client, actors, mini()).status_code == 201
    carl = Browser(app)
    carl.login("carl")
    page = carl.get("/cases/new/mini").get_data(as_text=True)
    assert "starts with no data" in page or "startar utan uppgifter" in page
    r = carl.post_form("/cases/new/mini", "/cases/new/mini", {})
    assert r.status_code == 302
    anna = Browser(app)
    anna.login("anna")
    assert anna.get("/cases/new/mini").status_code == 403


def swedish_path(page: str) -> list[str]:
    """The steps of the case page's path, in Swedish (each ``<li class="step-…"><time>…</time> name</li>``)."""
    import re
    found = re.findall(r'<li class="step-[^"]*"><time>[^<]*</time>([^<]*)</li>', page)
    return [re.sub(r"\s+", " ", name).strip() for name in found]


def test_every_step_of_a_notification_is_named_in_swedish_on_the_case_page(app, api):
    from tests.test_any_process import NOTIFICATION
    case_id = api.as_("applicant").post("/api/cases", {"process": "anmalan", "data": NOTIFICATION}).get_json()["id"]
    officer = api.as_("officer")
    officer.complete("check_notification", {"complete": True, "consultation_needed": False}, case_id)
    officer.complete("decide_start_notice", {"outcome": "granted", "decision_text": "Uppfyller kraven.",
                                             "control_plan": "Egenkontroll enligt bifogad plan."}, case_id)
    olga = Browser(app)
    olga.login("olga")
    steps = swedish_path(olga.client.get(f"/cases/{case_id}", headers={"Accept-Language": "sv"}).get_data(as_text=True))
    # each step the case went through, none left out for want of a Swedish name
    assert steps == ["Anmälan inkommen", "Registrera ärendet", "Granska anmälan", "Bekräfta att anmälan är komplett",
                     "Besluta om startbesked", "Beräkna avgiften", "Registrera startbeskedet", "Avslutat"]


def test_a_decided_permit_shows_its_recorded_decision_in_the_swedish_path(app, api):
    from tests.helpers import TRIAGE_COMPLETE
    case_id = api.as_("applicant").submit(measure="plank")["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"}, case_id)
    decided = {"outcome": "granted", "decision_text": "Bygglov beviljas."}
    api.as_("coordinator").complete("coordinator_decision", decided, case_id)
    carl = Browser(app)
    carl.login("carl")
    steps = swedish_path(carl.client.get(f"/cases/{case_id}", headers={"Accept-Language": "sv"}).get_data(as_text=True))
    assert steps[-3:] == ["Beräkna avgiften", "Registrera beslutet", "Pröva överklagandetiden"], steps
