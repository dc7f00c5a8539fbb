"""The anslagstavla: kungörelser and neighbour notices on a public page (PBL as of 2025-12-01), through the API."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.models import Case, Notice
from app.services import notices
from tests.helpers import TRIAGE_COMPLETE, Api
from tests.scenario import on

DAY0 = date(2026, 2, 2)


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def decide(api, outcome="granted", **triage) -> int:
    case_id = api.as_("applicant").submit(measure="nybyggnad", applicant_name="Anna Andersson")["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"} | triage, case_id=case_id)
    api.as_("coordinator").complete("coordinator_decision", {"outcome": outcome, "decision_text": "Enligt ansökan."},
                                    case_id=case_id)
    return case_id


def board(client, lang="sv") -> str:
    r = client.get("/anslagstavla", headers={"Accept-Language": lang})
    assert r.status_code == 200
    return r.get_data(as_text=True)


def case_notices(rt, case_id) -> list[Notice]:
    with rt.db.unit_of_work(write=False) as s:
        rows = list(s.scalars(select(Notice).where(Notice.case_id == case_id)))
        s.expunge_all()
        return rows


def test_a_decision_on_an_application_from_december_2025_is_announced_on_the_public_anslagstavla(api, client):
    on(api, DAY0)
    case_id = decide(api)
    reference = api.as_("officer").case(case_id)["reference"]
    page = board(client)  # no login
    assert reference in page and "Umeå Tallen 4:12" in page and "Bygglov beviljas för nybyggnad" in page
    assert "kan överklagas hos Länsstyrelsen" in page and (DAY0 + timedelta(days=28)).isoformat() in page
    assert "Anna Andersson" not in page and "anna@example.se" not in page  # no personal data


def test_a_notice_is_taken_down_when_its_period_ends(api, client):
    on(api, DAY0)
    case_id = decide(api)
    reference = api.as_("officer").case(case_id)["reference"]
    on(api, DAY0 + timedelta(days=28))
    assert reference in board(client)
    on(api, DAY0 + timedelta(days=29))
    page = board(client)
    assert reference not in page and 'id="no-notices"' in page


def test_an_application_that_arrived_before_december_2025_is_published_in_post_och_inrikes_tidningar(api, client, rt):
    on(api, date(2025, 11, 28))
    case_id = decide(api)
    [notice] = case_notices(rt, case_id)
    assert notice.channel == "post_och_inrikes_tidningar" and notice.kind == "decision"
    assert api.as_("officer").case(case_id)["reference"] not in board(client)


@pytest.mark.parametrize("outcome, triage", [("dismissed", {}), ("granted", {"case_type": "anmalan"})])
def test_a_dismissal_or_an_anmalan_is_not_published(api, rt, outcome, triage):
    on(api, DAY0)
    assert case_notices(rt, decide(api, outcome, **triage)) == []


def test_the_hearing_posts_a_neighbour_notice_with_its_period(api, client, rt):
    on(api, DAY0)
    case_id = api.as_("applicant").submit(measure="tillbyggnad", deviates_from_plan=True)["id"]
    with rt.db.unit_of_work() as session:
        notices.post_notice(session, case=session.get(Case, case_id), kind="neighbour_notice",
                            title="Tillbyggnad som avviker från detaljplanen",
                            text="Lämna synpunkter till byggnadsnämnden senast 2026-02-23.", until=DAY0 + timedelta(21))
    page = board(client, "en")
    assert "Notice to neighbours" in page and "Tillbyggnad som avviker från detaljplanen" in page
    assert "Notice board" in page and "2026-02-23" in page


def test_a_notice_cannot_end_before_it_starts(api, rt):
    from app.services.errors import InvalidInput

    on(api, DAY0)
    case_id = api.as_("applicant").submit()["id"]
    with rt.db.unit_of_work() as session, pytest.raises(InvalidInput) as err:
        notices.post_notice(session, case=session.get(Case, case_id), kind="neighbour_notice", title="x", text="y",
                            until=DAY0 - timedelta(days=1))
    assert err.value.errors[0]["field"] == "until"
