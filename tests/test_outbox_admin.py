"""The administrator sees the outbox (queued, sent, failed with the error) and retries a failed e-mail."""
from __future__ import annotations

import pytest

from app.scheduler import deliver_outbox
from tests.helpers import TRIAGE_COMPLETE, Api
from tests.smtp import free_port, smtp_server
from tests.test_outbox import queue_mails
from tests.test_web import Browser, csrf


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


@pytest.fixture
def outbox_of_three(rt):
    """One e-mail sent, one queued, one dead letter (its server refused the connection, no attempts left)."""
    rt.settings.outbox_max_attempts = 1
    [sent] = queue_mails(rt, 1, recipient="sent@example.se")
    with smtp_server() as (_, port):
        rt.settings.smtp_port = port
        assert deliver_outbox(rt) == 1
    [failed] = queue_mails(rt, 1, recipient="failed@example.se")
    rt.settings.smtp_port = free_port()
    assert deliver_outbox(rt) == 0
    [queued] = queue_mails(rt, 1, recipient="queued@example.se")
    return {"sent": sent, "failed": failed, "queued": queued}


def test_the_outbox_lists_each_mail_with_its_status_attempts_and_error(api, outbox_of_three):
    r = api.as_("admin").get("/api/admin/outbox")
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "3"
    by_recipient = {m["recipient"]: m for m in r.get_json()}
    assert {k: by_recipient[f"{k}@example.se"]["status"] for k in ("sent", "failed", "queued")} == \
        {"sent": "sent", "failed": "failed", "queued": "pending"}
    failed = by_recipient["failed@example.se"]
    assert failed["attempts"] == 1 and "cannot connect" in failed["last_error"]
    assert failed["subject"] == "Meddelande 1" and failed["body"] == "Hej!"
    assert by_recipient["sent@example.se"]["sent_at"] is not None
    only_failed = api.as_("admin").get("/api/admin/outbox?status=failed").get_json()
    assert [m["id"] for m in only_failed] == [outbox_of_three["failed"]]
    page = api.as_("admin").get("/api/admin/outbox?per_page=2&page=2")
    assert [m["id"] for m in page.get_json()] == [outbox_of_three["sent"]] and page.headers["X-Total-Count"] == "3"


def test_the_outbox_refuses_other_roles_and_bad_filters(api, outbox_of_three):
    assert api.as_("coordinator").get("/api/admin/outbox").status_code == 403
    assert api.as_("applicant").post(f"/api/admin/outbox/{outbox_of_three['failed']}/retry").status_code == 403
    r = api.as_("admin").get("/api/admin/outbox?status=lost")
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "status"
    assert api.as_("admin").get("/api/admin/outbox?page=0").status_code == 422
    assert api.as_("admin").get("/api/admin/outbox?per_page=many").status_code == 422


def test_a_retried_dead_letter_is_sent_at_the_next_round(api, rt, outbox_of_three):
    r = api.as_("admin").post(f"/api/admin/outbox/{outbox_of_three['failed']}/retry")
    assert r.status_code == 200 and r.get_json()["status"] == "pending" and r.get_json()["attempts"] == 0
    with smtp_server() as (handler, port):
        rt.settings.smtp_port = port
        assert deliver_outbox(rt) == 2  # the retried one and the queued one
    assert sorted(m["To"] for m in handler.messages) == ["failed@example.se", "queued@example.se"]
    assert api.as_("admin").post(f"/api/admin/outbox/{outbox_of_three['sent']}/retry").status_code == 409
    assert api.as_("admin").post("/api/admin/outbox/999999/retry").status_code == 404
    [retried] = api.as_("admin").get("/api/audit?action=outbox.retried").get_json()
    assert retried["actor"] == "adam" and "cannot connect" in retried["details"]["before"]["last_error"]


@pytest.mark.parametrize(("lang", "words"), [
    ("sv", ["Utkorg", "I kö", "Skickat", "Misslyckat", "Senaste fel:", "Kunde inte ansluta till e-postservern.",
            "Försök igen nu"]),
    ("en", ["Outbox", "Queued", "Sent", "Failed", "Last error:", "Could not connect to the mail server.",
            "Retry now"]),
])
def test_the_outbox_page_shows_the_mails_in_swedish_and_english(app, actors, outbox_of_three, lang, words):
    admin = Browser(app)
    admin.login("adam")
    admin.post_form("/admin/", f"/lang/{lang}", {})
    page = admin.get("/admin/outbox").get_data(as_text=True)
    for word in words:
        assert word in page
    assert "cannot connect" not in page  # the stored reason is shown in the reader's words
    assert "Connection refused" in page and "queued@example.se" in page  # with the system's own detail
    failed_only = admin.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "failed@example.se" in failed_only and "queued@example.se" not in failed_only
    assert 'id="failed-mails"' in admin.get("/admin/").get_data(as_text=True)


def test_retry_from_the_outbox_page(app, actors, api, outbox_of_three):
    admin = Browser(app)
    admin.login("adam")
    page = admin.get("/admin/outbox?status=failed").get_data(as_text=True)
    r = admin.client.post(f"/admin/outbox/{outbox_of_three['failed']}/retry", data={"csrf_token": csrf(page)})
    assert r.status_code == 302
    [mail] = [m for m in api.as_("admin").get("/api/admin/outbox").get_json() if m["id"] == outbox_of_three["failed"]]
    assert mail["status"] == "pending"
    assert Browser(app).get("/admin/outbox").status_code == 302  # not logged in: to the login page


def test_a_letter_in_the_outbox_names_its_pdf_and_the_administrator_can_open_it(app, actors, api):
    api.as_("applicant").submit(applicant_email="anna@example.se")
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    mails = api.as_("admin").get("/api/admin/outbox").get_json()
    receipt = next(m for m in mails if m["subject"].startswith("Mottagningsbevis"))
    attachment = receipt["attachment"]
    assert attachment["filename"].startswith("Mottagningsbevis") and attachment["filename"].endswith(".pdf")
    admin = Browser(app)
    admin.login("adam")
    page = admin.get("/admin/outbox").get_data(as_text=True)
    link = f'/cases/{receipt["case_id"]}/documents/{attachment["document_id"]}'
    assert f'href="{link}"' in page and attachment["filename"] in page
    pdf = admin.get(link)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
