"""One transaction boundary: a request commits only when nothing escaped its view.

Whatever the response looks like (a redirect back with a message, an error
page, a form shown again), a view that wrote and then failed leaves nothing
behind: no row, no audit event, no file.
"""
from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.config import PROJECT_ROOT
from app.models import AuditEvent, Document, Incident, PendingMessage
from app.services import audit
from app.uow import db
from tests.helpers import Api
from tests.test_web import Browser


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def _counts(rt, case_id: int) -> dict:
    with rt.db.unit_of_work(write=False) as s:
        def count(model, *where):
            return s.scalar(select(func.count()).select_from(model).where(*where))
        return {"documents": count(Document, Document.case_id == case_id, Document.kind == "upload"),
                "audit": count(AuditEvent, AuditEvent.case_id == case_id),
                "messages": count(PendingMessage, PendingMessage.case_id == case_id)}


def test_a_refused_supplement_keeps_no_document_no_file_and_no_audit_event(app, api, rt):
    case_id = api.as_("applicant").submit()["id"]
    assert api.as_("applicant").post(f"/api/cases/{case_id}/withdraw", {"reason": "Vi bygger inte."}).status_code == 200
    before = _counts(rt, case_id)
    browser = Browser(app)
    browser.login("anna")
    page = f"/portal/cases/{case_id}"
    upload = (io.BytesIO(b"%PDF-1.4 ritning"), "ritning.pdf")
    r = browser.post_form(page, f"{page}/supplement", {"message": "Här är ritningen.", "documents": upload},
                          headers={"Referer": f"http://localhost{page}"}, content_type="multipart/form-data")
    assert r.status_code == 302 and r.headers["Location"].endswith(page)  # back to the case, with the reason
    assert "stängt" in browser.get(page).get_data(as_text=True)
    assert _counts(rt, case_id) == before
    folder = Path(rt.settings.documents_dir) / str(case_id)
    assert not folder.exists() or list(folder.iterdir()) == []


def test_an_accepted_upload_is_kept_with_its_file(app, api, rt):
    case_id = api.as_("applicant").submit()["id"]
    browser = Browser(app)
    browser.login("anna")
    page = f"/portal/cases/{case_id}"
    r = browser.post_form(page, f"{page}/supplement",
                          {"message": "Ritningen.", "documents": (io.BytesIO(b"%PDF-1.4 ritning"), "ritning.pdf")},
                          content_type="multipart/form-data")
    assert r.status_code == 302
    after = _counts(rt, case_id)
    assert after["documents"] == 1 and after["messages"] == 1
    folder = Path(rt.settings.documents_dir) / str(case_id)
    assert [p.name for p in folder.iterdir() if not p.name.startswith(".")] != []
    assert not [p for p in folder.iterdir() if p.name.endswith(".staged")]


def test_an_unexpected_error_after_a_write_commits_nothing(app, rt):
    app.config["WTF_CSRF_ENABLED"] = False

    @app.post("/test-only/write-then-fail")
    def write_then_fail():
        audit.record(db(), actor="tester", action="test.half_written")
        raise KeyError("a bug after the write")

    r = app.test_client().post("/test-only/write-then-fail", headers={"Referer": "http://localhost/inbox"})
    assert r.status_code == 500 and "KeyError" not in r.get_data(as_text=True)
    with rt.db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action == "test.half_written")) == 0


def test_a_safe_request_that_writes_is_refused(app, rt):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/test-only/write-on-get")
    def write_on_get():
        audit.record(db(), actor="tester", action="test.written_on_get")
        return "ok"

    r = app.test_client().get("/test-only/write-on-get")
    assert r.status_code == 500
    with rt.db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action == "test.written_on_get")) == 0


def test_a_failed_step_is_rolled_back_and_recorded_as_an_incident(api, rt, monkeypatch):
    from handlers import REGISTRY

    case_id = api.as_("applicant").submit()["id"]
    operation = REGISTRY["confirm_complete"]

    def broken(ctx):
        raise ConnectionError("diariet svarar inte")

    monkeypatch.setitem(REGISTRY, "confirm_complete", operation.__class__(**{**operation.__dict__, "fn": broken}))
    [task] = api.as_("coordinator").tasks("triage", case_id)
    r = api.as_("coordinator").post(f"/api/tasks/{task['id']}/complete",
                                    {"data": {"case_type": "bygglov", "track": "simple", "neighbours_required": False,
                                              "referrals": [], "complete": True}})
    assert r.status_code == 500 and r.get_json()["error"] == "step_failed"
    with rt.db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Incident).where(Incident.case_id == case_id)) == 1
        completed = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.case_id == case_id, AuditEvent.action == "task.completed"))
    assert completed == 0  # the completion itself was rolled back
    assert api.as_("coordinator").tasks("triage", case_id)  # and the task is still there to do


def test_a_failed_login_is_audited_although_the_request_is_refused(app, actors, rt):
    browser = Browser(app)
    assert browser.login("carl", "wrong-password").status_code == 401
    with rt.db.unit_of_work(write=False) as s:
        failed = s.scalars(select(AuditEvent.actor).where(AuditEvent.action == "auth.login_failed")).all()
    assert failed == ["carl"]


WEB_LAYERS = [PROJECT_ROOT / "app" / "web", PROJECT_ROOT / "app" / "api"]
SESSION_CALLS = {"commit", "rollback", "execute", "scalars", "scalar", "flush"}


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found.append(f"{path.name}:{node.lineno} imports {node.module}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SESSION_CALLS:
            found.append(f"{path.name}:{node.lineno} calls .{node.func.attr}()")
    return found


def test_views_do_not_commit_roll_back_or_run_sql():
    violations = [v for folder in WEB_LAYERS for path in sorted(folder.glob("*.py")) for v in _violations(path)]
    assert violations == []
