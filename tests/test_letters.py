"""Letters: rendered from the process's templates, kept as documents, downloaded and mailed as PDFs."""
from __future__ import annotations

import io
import re
from email.header import decode_header, make_header

import pytest
from pypdf import PdfReader

from app.engine.specs import BundleInvalid, parse_bundle
from app.letters.text import html_to_text
from app.scheduler import deliver_outbox
from app.services.processes import RULES, read_directory
from tests.conftest import PROCESSES
from tests.helpers import Api, TRIAGE_COMPLETE, application, reply_by


@pytest.fixture
def api(client, actors):
    return Api(client, actors)


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF"), data[:20]
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def documents(api, role, case_id) -> list[dict]:
    r = api.as_(role).get(f"/api/cases/{case_id}/documents")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def download(api, role, doc) -> bytes:
    r = api.as_(role).get(doc["url"])
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert r.mimetype == doc["content_type"]
    return r.get_data()


def decided_case(api, **application) -> int:
    """A fence: ordered to supplement, supplemented, complete, granted by the coordinator."""
    case_id = api.as_("applicant").submit(**application)["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {
        "track": "simple", "complete": False, "supplement_request": "Situationsplan saknas.",
        "reply_by": reply_by()})
    api.as_("applicant").post(f"/api/cases/{case_id}/messages/supplement_received", {"data": {"message": "Här."}})
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "Plank beviljas."})
    return case_id


def test_every_letter_of_a_case_is_a_document_of_its_kind_and_downloads_as_a_pdf(api):
    case_id = decided_case(api)
    docs = documents(api, "applicant", case_id)
    assert [d["kind"] for d in docs] == ["acknowledgement", "supplement_order", "receipt", "decision"]
    reference = api.as_("applicant").case(case_id)["reference"]
    texts = {d["kind"]: pdf_text(download(api, "applicant", d)) for d in docs}
    assert all(d["content_type"] == "application/pdf" and d["language"] == "sv" for d in docs)
    assert all(reference in text for text in texts.values())
    assert "Situationsplan saknas." in texts["supplement_order"] and "avvisas" in texts["supplement_order"]
    assert "Beslut ska fattas senast" in texts["receipt"]
    decision = texts["decision"]
    assert "Bygglov beviljas" in decision and "Plank beviljas." in decision
    assert "startbesked" in decision and "inom 2 år" in decision and "Hur man överklagar" in decision


def test_letters_are_written_in_the_language_the_applicant_chose(api):
    r = api.as_("applicant").post("/api/cases", {"process": "building_permit", "language": "en",
                                                  "data": application()})
    assert r.status_code == 201, r.get_json()
    case_id = r.get_json()["id"]
    api.as_("coordinator").complete("triage", TRIAGE_COMPLETE | {"track": "simple"})
    api.as_("coordinator").complete("coordinator_decision", {"outcome": "granted", "decision_text": "As applied."})
    docs = documents(api, "applicant", case_id)
    assert {d["language"] for d in docs} == {"en"}
    decision = pdf_text(download(api, "applicant", docs[-1]))
    assert "Building permit granted" in decision and "How to appeal" in decision and "fence" in decision
    assert "Beslut" not in decision


def test_an_unknown_language_is_refused_naming_the_field(api):
    r = api.as_("applicant").post("/api/cases", {"process": "building_permit", "language": "de",
                                                  "data": application()})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "language"


def test_a_letter_never_changes_after_it_was_issued(api, rt):
    first = api.as_("applicant").submit()["id"]
    files = read_directory(PROCESSES)
    files["letters/acknowledgement.sv.html"] = files["letters/acknowledgement.sv.html"].replace(
        "Vi har tagit emot din ansökan</h1>", "Tack för din ansökan</h1>")
    with rt.db.unit_of_work() as session:
        from app.services.processes import deploy
        deploy(session, files=files, message="new wording", author=None)
    second = api.as_("applicant").submit()["id"]
    [old] = documents(api, "applicant", first)
    [new] = documents(api, "applicant", second)
    assert "Tack för din ansökan" not in pdf_text(download(api, "applicant", old))
    assert "Tack för din ansökan" in pdf_text(download(api, "applicant", new))


def test_the_pdf_is_made_once_and_kept_by_its_content(api, rt):
    case_id = api.as_("applicant").submit()["id"]
    [doc] = documents(api, "applicant", case_id)
    cache = rt.settings.documents_dir / "pdf"
    assert not cache.exists() or not list(cache.iterdir())  # nothing rendered while the request ran
    first = download(api, "applicant", doc)
    [cached] = list(cache.iterdir())
    made = cached.stat().st_mtime_ns
    assert download(api, "applicant", doc) == first and cached.stat().st_mtime_ns == made


def test_applicants_see_only_their_own_cases_documents(api):
    case_id = api.as_("applicant").submit()["id"]
    assert api.as_("applicant2").get(f"/api/cases/{case_id}/documents").status_code == 403
    [doc] = documents(api, "officer", case_id)
    assert api.as_("applicant2").get(doc["url"]).status_code == 403
    assert api.as_("applicant").get(f"/api/cases/{case_id}/documents/999999").status_code == 404


def test_a_letter_to_someone_else_is_not_shown_to_the_applicant(api, rt):
    from app.models import Case
    from app.services import letters

    case_id = api.as_("applicant").submit()["id"]
    with rt.db.unit_of_work() as session:
        letters.issue(session, case=session.get(Case, case_id), kind="acknowledgement", values={},
                      recipient=letters.Recipient(name="Granne Grannsson", address="Gatan 2", language="sv"))
    staff = documents(api, "officer", case_id)
    assert [d["recipient"] for d in staff] == [None, "Granne Grannsson"]
    assert len(documents(api, "applicant", case_id)) == 1
    assert api.as_("applicant").get(staff[1]["url"]).status_code == 404
    assert "Granne Grannsson" in pdf_text(download(api, "officer", staff[1]))


def test_the_email_carries_the_letter_as_a_pdf(api, rt, smtp):
    case_id = api.as_("applicant").submit()["id"]
    assert deliver_outbox(rt) == 1
    [message] = smtp.messages
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject.startswith("Vi har tagit emot din ansökan (BYGG ")
    from email import message_from_string, policy
    parsed = message_from_string(message.as_string(), policy=policy.default)
    body = parsed.get_body(("plain",)).get_content()
    assert "Vi har tagit emot din ansökan" in body and "<p>" not in body
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert "Vi har tagit emot din ansökan" in pdf_text(attachment.get_content())
    assert api.as_("applicant").case(case_id)["reference"] in attachment.get_filename()


# ------------------------------------------------------------------ deploy checks


def deploy_problems(files):
    with pytest.raises(BundleInvalid) as err:
        parse_bundle(files, RULES)
    return err.value.problems


def test_a_broken_template_refuses_the_deploy_naming_the_file_and_line():
    files = read_directory(PROCESSES)
    files["letters/receipt.en.html"] = files["letters/receipt.en.html"].replace(
        "{% endblock %}", "{% if weeks %}{% endblock %}", 1)
    [p] = deploy_problems(files)
    assert p.file == "letters/receipt.en.html" and p.line is not None and "template error" in p.message


def test_a_template_using_an_undocumented_variable_is_refused_with_its_line():
    files = read_directory(PROCESSES)
    text = files["letters/receipt.sv.html"]
    files["letters/receipt.sv.html"] = text.replace("<h1>Mottagningsbevis</h1>", "<h1>{{ deadlline | date }}</h1>")
    [p] = deploy_problems(files)
    line = 1 + text[:text.index("<h1>Mottagningsbevis</h1>")].count("\n")
    assert (p.file, p.line) == ("letters/receipt.sv.html", line) and "deadlline" in p.message


def test_a_letter_an_operation_sends_must_exist_in_every_language():
    files = read_directory(PROCESSES)
    del files["letters/receipt.en.html"]
    [p] = deploy_problems(files)
    assert p.file == "letters/receipt.en.html" and "'confirm_complete'" in p.message


def test_a_template_may_not_reach_outside_the_sandbox():
    files = read_directory(PROCESSES)
    files["letters/receipt.sv.html"] = files["letters/receipt.sv.html"].replace(
        "<h1>Mottagningsbevis</h1>", "<h1>{{ case.__class__.__mro__ }}</h1>")
    [p] = deploy_problems(files)
    assert p.file == "letters/receipt.sv.html" and "unsafe" in p.message


def test_a_letter_without_a_title_has_no_subject_and_is_refused():
    files = read_directory(PROCESSES)
    files["letters/advice.sv.html"] = "<p>Hej</p>"
    files["letters/advice.en.html"] = "<html><head><title>Advice</title></head><body>Hi</body></html>"
    [p] = deploy_problems(files)
    assert p.file == "letters/advice.sv.html" and "<title>" in p.message


def test_the_email_text_keeps_paragraphs_and_drops_markup():
    text = html_to_text("<html><head><title>T</title><style>p{}</style></head><body><h1>Beslut</h1>"
                        "<p>Bygglov\n   beviljas.</p><ul><li>ett</li><li>två</li></ul></body></html>")
    assert text == "Beslut\n\nBygglov beviljas.\n\n– ett\n– två\n"


def test_the_case_page_and_the_portal_link_each_letter_to_its_pdf(app, api):
    from tests.test_web import Browser

    case_id = decided_case(api)
    for user, page in (("olga", f"/cases/{case_id}"), ("anna", f"/portal/cases/{case_id}")):
        browser = Browser(app)
        browser.login(user)
        html = browser.get(page).get_data(as_text=True)
        assert 'data-kind="decision"' in html and "Mottagningsbevis" in html and "Föreläggande om komplettering" in html
        [link] = re.findall(r'data-kind="decision"><a href="([^"]+)"', html)
        r = browser.get(link)
        assert r.status_code == 200 and r.mimetype == "application/pdf"
        assert "Bygglov beviljas" in pdf_text(r.get_data())
