"""Retention erases everything personal it promises: a grep of the database and the document folder finds none of it."""
from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from app.cli import main
from app.clock import clock
from app.models import Base
from app.scheduler import run_due_timers, run_survey
from tests.scenario import letters as scenario_letters
from tests.scenario import serve_applicant
from tests.helpers import TRIAGE_COMPLETE, Api, Browser, csrf

PERSONAL = ["Zelda", "Personsdottir", "zelda.p@example.se", "Xylofon", "ZELDASECRET", "zelda-ritning", "Hemligheten"]


def _closed_case_full_of_personal_data(app, api: Api, rt) -> int:
    case_id = api.as_("applicant").submit(
        applicant_name="Zelda Personsdottir", applicant_email="zelda.p@example.se",
        property_designation="Umea Hemligheten 7:42", description="Plank mot Quentin Xylofons tomt.")["id"]
    browser = Browser(app)
    browser.login("anna")
    page = f"/portal/cases/{case_id}"
    r = browser.post_form(page, f"{page}/supplement",
                          {"message": "Ritningen fran Zelda bifogas.",
                           "documents": (io.BytesIO(b"%PDF-1.4 ZELDASECRET"), "zelda-ritning.pdf")},
                          content_type="multipart/form-data")
    assert r.status_code == 302
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    r = api.as_("coordinator").post(f"/api/cases/{case_id}/extension", {"reason": "Zelda har bett om anstand."})
    assert r.status_code == 200, r.get_json()
    api.as_("coordinator").complete("coordinator_decision",
                                    {"outcome": "granted", "decision_text": "Beviljas. Zelda Personsdottir."})
    serve_applicant(api, case_id)  # the appeal period runs from the service of the decision
    clock.advance(timedelta(days=29))
    assert run_due_timers(rt) == 1  # the appeal window passed: closed
    letters = [d for d in api.as_("applicant").get(f"/api/cases/{case_id}/documents").get_json()
               if d["kind"] != "upload"]
    assert letters and api.as_("applicant").get(letters[0]["url"]).status_code == 200  # its PDF is made now
    preview = browser.client.get(f"/cases/{case_id}/documents/{letters[0]['id']}/preview")
    assert preview.mimetype == "image/png"  # a drawn page of the letter, kept beside the documents
    r = api.as_("applicant").post(f"/api/cases/{case_id}/conversation", {"text": "Tack! Halsningar Zelda."})
    assert r.status_code == 201, r.get_json()
    _answer_survey(app, rt, case_id, comment="Zelda Personsdottir tycker att det gick bra.")
    return case_id


def _answer_survey(app, rt, case_id: int, *, comment: str) -> None:
    assert run_survey(rt) == (1, 0)
    [invitation] = scenario_letters(rt, case_id, "survey_invitation")
    token = re.search(r"https?://\S+/survey/(\S+)", invitation.body).group(1)
    client = app.test_client()
    page = client.get(f"/survey/{token}").get_data(as_text=True)
    scores = {q: "8" for q in ("satisfaction", "expectations", "ideal", "information", "accessibility", "treatment",
                               "competence", "legal_certainty", "efficiency")}
    r = client.post(f"/survey/{token}", data=scores | {"comment": comment, "csrf_token": csrf(page)})
    assert r.status_code == 200


def _run_retention(rt, monkeypatch, *, erase_property: bool) -> None:
    monkeypatch.setenv("LOTSEN_DATABASE_URL", rt.settings.database_url)
    monkeypatch.setenv("LOTSEN_INSTANCE_DIR", rt.settings.instance_dir)
    monkeypatch.setenv("LOTSEN_RETENTION_DAYS_JSON", json.dumps({"default": 30}))
    monkeypatch.setenv("LOTSEN_RETENTION_ERASES_PROPERTY", "1" if erase_property else "0")
    clock.advance(timedelta(days=31))
    result = CliRunner().invoke(main, ["retention", "run"])
    assert result.exit_code == 0 and "1 case(s) erased" in result.output, result.output


def _everything_stored(rt) -> bytes:
    """The raw database (SQLite file and WAL), or every row of every table (PostgreSQL), and every document file."""
    stored = b""
    if rt.db.is_sqlite:
        path = Path(rt.settings.database_url.removeprefix("sqlite:///"))
        for part in (path, Path(f"{path}-wal")):
            stored += part.read_bytes() if part.exists() else b""
    else:
        with rt.db.write_engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                for (row,) in conn.execute(text(f'SELECT CAST(t AS text) FROM "{table.name}" t')):
                    stored += row.encode() + b"\n"
    for file in Path(rt.settings.documents_dir).rglob("*"):
        stored += file.name.encode() + (file.read_bytes() if file.is_file() else b"")
    return stored


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def test_after_retention_nothing_personal_is_left_in_the_database_or_the_document_folder(app, api, rt, monkeypatch):
    case_id = _closed_case_full_of_personal_data(app, api, rt)
    before = _everything_stored(rt)
    assert all(s.encode() in before for s in PERSONAL)  # the grep finds them while they are there
    _run_retention(rt, monkeypatch, erase_property=True)
    after = _everything_stored(rt)
    assert [s for s in PERSONAL if s.encode() in after] == []
    assert [p.name for p in Path(rt.settings.documents_dir).rglob("*") if p.is_file()] == []  # files, PDFs
    case = api.as_("admin").get(f"/api/cases/{case_id}").get_json()
    assert case["outcome"] == "granted" and case["status"] == "closed"  # the statistics stay
    assert CliRunner().invoke(main, ["audit", "verify"]).exit_code == 0


def test_the_property_designation_stays_unless_the_policy_erases_it(app, api, rt, monkeypatch):
    _closed_case_full_of_personal_data(app, api, rt)
    _run_retention(rt, monkeypatch, erase_property=False)
    after = _everything_stored(rt)
    assert b"Hemligheten" in after
    assert [s for s in PERSONAL if s != "Hemligheten" and s.encode() in after] == []
