"""The event log for process mining (XES and CSV): every step of each case, and no personal data."""
from __future__ import annotations

import pytest
from lxml import etree

from tests.helpers import Api
from tests.insight_history import DAY0, TODAY, day, walk
from tests.test_insight_dashboard import manager_headers
from tests.test_insight_web import rows
from tests.test_web import Browser

XES = "{http://www.xes-standard.org/}"


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


@pytest.fixture
def maja(app, rt, actors):
    manager_headers(rt)
    browser = Browser(app)
    browser.login("maja")
    return browser


def _references(rt) -> dict[int, str]:
    from sqlalchemy import select

    from app.models import Case

    with rt.db.unit_of_work(write=False) as session:
        return dict(session.execute(select(Case.id, Case.reference)).all())


def test_the_csv_event_log_has_each_step_with_its_group_and_times(api, maja, rt):
    ids = walk(api)
    steps = rows(maja.client.get(f"/insight/exports/event-log.csv?from={DAY0}&to={day(TODAY)}"
                                 "&process=building_permit", headers={"Accept-Language": "en"}))
    assert list(steps[0]) == ["case_id", "activity", "resource", "start", "end"]
    c = [s for s in steps if s["case_id"] == _references(rt)[ids["c"]]]
    assert [s["activity"] for s in c][:3] == ["Application received", "Triage application", "Supplement ordered"]
    triage = c[1]
    assert triage["resource"] == "coordinator" and triage["start"] <= triage["end"]
    assert triage["end"].startswith(day(5).isoformat())
    decision = next(s for s in c if s["activity"] == "Decision")
    assert decision["resource"] == "system" and decision["start"] == decision["end"]
    assert decision["end"].startswith(day(40).isoformat())
    assert {s["case_id"] for s in steps} == {ref for i, ref in _references(rt).items() if i in ids.values()}


def test_the_event_log_leaves_out_names_e_mail_addresses_and_user_names(api, maja):
    walk(api)
    q = f"from={DAY0}&to={day(TODAY)}"
    for body in (maja.get(f"/insight/exports/event-log.csv?{q}").get_data(as_text=True),
                 maja.get(f"/insight/exports/event-log.xes?{q}").get_data(as_text=True)):
        assert "Anna" not in body and "@" not in body and "carl" not in body and "olga" not in body


def test_the_xes_event_log_is_one_trace_per_case_with_start_and_complete_events(api, maja, rt):
    ids = walk(api)
    answer = maja.get(f"/insight/exports/event-log.xes?from={DAY0}&to={day(TODAY)}")
    assert answer.status_code == 200 and answer.content_type.startswith("application/xml")
    log = etree.fromstring(answer.data)
    assert log.tag == f"{XES}log" and log.get("xes.version") == "1849-2016"
    assert {e.get("prefix") for e in log.iter(f"{XES}extension")} == {"concept", "time", "lifecycle", "org"}
    traces = {t.find(f"{XES}string").get("value"): t for t in log.iter(f"{XES}trace")}
    assert len(traces) == len(ids)
    a = traces[_references(rt)[ids["a"]]]
    events = [{s.get("key"): s.get("value") for s in e} for e in a.iter(f"{XES}event")]
    assert [e["lifecycle:transition"] for e in events[:2]] == ["start", "complete"]
    decision = [e for e in events if e["concept:name"] == "Beslut"]  # Swedish by default
    assert decision and decision[0]["time:timestamp"].startswith(day(20).isoformat())


def test_the_exports_page_offers_the_event_log(api, maja):
    page = maja.get(f"/insight/exports?from={DAY0}&to={day(TODAY)}").get_data(as_text=True)
    assert "/insight/exports/event-log.xes?" in page and "/insight/exports/event-log.csv?" in page
