"""An administrator opens a case and sees its path on the diagram (real Chromium)."""
from __future__ import annotations

import pytest

from tests.helpers import TRIAGE_COMPLETE, Api, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_administrator_sees_the_case_path_on_the_diagram(page, client, actors, tmp_path):
    api = Api(client, actors)
    case_id = api.as_("applicant").submit()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    browser_login(page, "admin")
    page.goto(f"/admin/cases/{case_id}")
    page.wait_for_selector("#case-diagram[data-ready='1']")
    done = page.eval_on_selector_all(".djs-element.lotsen-done", "els => els.map(e => e.dataset.elementId)")
    active = page.eval_on_selector_all(".djs-element.lotsen-active", "els => els.map(e => e.dataset.elementId)")
    assert {"application_received", "register_case_task", "triage", "confirm_complete_task"} <= set(done)
    assert active == ["coordinator_decision"]
    assert "review" not in done  # the simple track never went there
    page.screenshot(path=str(tmp_path / "admin-case.png"), full_page=True)
