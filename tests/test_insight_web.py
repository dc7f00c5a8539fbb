"""The insight pages as a manager reads them: the dashboard, its charts' tables and CSV, the exports."""
from __future__ import annotations

import csv
import io

import pytest

from tests.helpers import Api
from tests.insight_history import DAY0, TODAY, day, walk
from tests.test_insight_dashboard import manager_headers
from tests.test_web import Browser


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


@pytest.fixture
def maja(app, rt, actors):
    manager_headers(rt)
    browser = Browser(app)
    browser.login("maja")
    return browser


def rows(response) -> list[dict]:
    assert response.status_code == 200 and response.content_type.startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_manager_reads_the_dashboard_with_figures_backlog_charts_and_groups(api, maja):
    ids = walk(api)
    page = maja.client.get(f"/insight/?from={DAY0}&to={day(TODAY)}&process=building_permit",
                           headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    statutory = html[html.index('data-kpi="statutory"'):html.index('data-kpi="lead"')]
    assert '<div class="value">20</div>' in statutory and "56.6" in statutory  # median and 90th percentile
    assert "No survey answers yet" in html
    assert f'href="/cases/{ids["o1"]}"' in html  # due within 14 days, linked
    assert html.count('<svg class="chart"') == 4 and html.count("Download CSV") == 4
    assert html.count("Show as a table") == 4


def test_every_chart_downloads_its_table_as_csv(api, maja):
    walk(api)
    volumes = rows(maja.get(f"/insight/charts/volumes.csv?to={day(TODAY)}"))
    assert len(volumes) == 24 and volumes[-1]["month"] == "2026-05"
    assert {r["month"]: r["received"] for r in volumes}["2026-01"] == "6"
    times = rows(maja.get(f"/insight/charts/times.csv?to={day(TODAY)}"))
    assert {r["month"]: r["statutory_days_median"] for r in times}["2026-01"] == "14.0"
    assert maja.get("/insight/charts/nonsense.csv").status_code == 404


def test_open_data_and_boverket_exports(api, maja):
    walk(api)
    q = f"from={DAY0}&to={day(TODAY)}"
    open_data = rows(maja.get(f"/insight/exports/open-data.csv?{q}"))
    january = next(r for r in open_data if r["month"] == "2026-01" and r["case_type"] == "bygglov")
    assert january["received"] == "6" and january["decided_granted"] == "1" and january["decided_refused"] == "1"
    assert january["median_days_complete_to_decision"] == "14.0" and january["percent_within_10_weeks"] == "100.0"
    year = rows(maja.get(f"/insight/exports/boverket.csv?{q}"))
    assert year == [{"year": "2026", "case_type": "bygglov", "received": "8", "decided": "6", "decided_granted": "4",
                     "decided_refused": "1", "decided_dismissed": "0", "decided_withdrawn": "1"}]


def test_decided_cases_export_has_the_clocks_and_contacts_only_when_asked(api, maja, rt):
    ids = walk(api)
    q = f"from={DAY0}&to={day(TODAY)}"
    plain = rows(maja.get(f"/insight/exports/closed-cases.csv?{q}"))
    assert len(plain) == 6 and "applicant_email" not in plain[0]
    c = next(r for r in plain if r["statutory_days"] == "15")
    assert (c["arrived_on"], c["complete_on"], c["decided_on"], c["lead_days"]) == (
        day(2).isoformat(), day(25).isoformat(), day(40).isoformat(), "38")
    with_contacts = rows(maja.get(f"/insight/exports/closed-cases.csv?{q}&contacts=1"))
    assert with_contacts[0]["applicant_email"] == "anna@example.se"
    audit = api.as_("admin").get("/api/audit?action=insight.contacts_exported").get_json()
    assert [e["actor"] for e in audit] == ["maja"] and ids


def test_insight_pages_are_refused_to_officers(app, actors):
    officer = Browser(app)
    officer.login("olga")
    assert officer.get("/insight/").status_code == 403
    assert officer.get("/insight/exports/open-data.csv").status_code == 403


def test_a_reversed_period_is_shown_beside_the_field(maja):
    page = maja.get("/insight/?from=2026-05-01&to=2026-04-01")
    assert page.status_code == 422
    assert 'class="field has-error"' in page.get_data(as_text=True)


def test_counts_under_the_figures_are_written_as_numbers_in_the_readers_language(api, maja, monkeypatch):
    from app.services.insight import nki

    monkeypatch.setattr(nki, "figures", lambda session, filters: {"index": 63.0, "answers": 1464})
    walk(api)
    for lang, words in (("sv", "1\xa0464 svar"), ("en", "1,464 answers")):
        html = maja.client.get("/insight/", headers={"Accept-Language": lang}).get_data(as_text=True)
        nki_card = html[html.index('data-kpi="nki"'):]
        assert words in nki_card[:nki_card.index("</section>")], lang
