"""Uploaded documents: typed by their bytes, named safely, served so that a browser runs nothing."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from app.models import Document
from app.services.documents import clean_filename, content_type_of
from tests.helpers import Api, Browser

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300"
                    "0100000500010d0a2db40000000049454e44ae426082")


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize(("data", "expected"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf"),
    (PNG, "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", "image/jpeg"),
    ("Ritningen skickas i morgon. Åsa på Ängsvägen.\n".encode(), "text/plain"),
    ("Plank mot gatan, 1,8 m – €".encode("cp1252"), "text/plain"),
    (_docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
], ids=["pdf", "png", "jpeg", "utf-8 text", "windows-1252 text", "docx"])
def test_the_type_comes_from_the_content(data, expected):
    assert content_type_of(data) == expected


@pytest.mark.parametrize("data", [b"<html><script>alert(1)</script></html>\x00", b"MZ\x90\x00\x03\x00\x00\x00",
                                  b"GIF89a\x01\x00\x01\x00", b"\x1f\x8b\x08\x00\x00\x00"])
def test_content_of_other_types_is_refused(data):
    assert content_type_of(data) is None


@pytest.mark.parametrize(("typed", "kept"), [
    ("../../etc/passwd", "passwd"), ("C:\\Users\\anna\\ritning.pdf", "ritning.pdf"),
    ("ritning\r\nSet-Cookie: x=1.pdf", "ritningSet-Cookie: x=1.pdf"), ("fakt\u202eagfdp.exe", "faktagfdp.exe"),
    ("\x00\x01", "document"), ("...", "document"), ("a" * 300 + ".pdf", "a" * 255),
])
def test_names_lose_folders_and_control_characters(typed, kept):
    assert clean_filename(typed) == kept


def _upload(app, case_id: int, data: bytes, name: str, claimed: str):
    browser = Browser(app)
    browser.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    browser.login("anna")
    page = f"/portal/cases/{case_id}"
    r = browser.post_form(page, f"{page}/supplement",
                          {"message": "Bifogar.", "documents": (io.BytesIO(data), name, claimed)},
                          content_type="multipart/form-data")
    return browser, r


def _links(browser, case_id: int) -> list[str]:
    """Links to the case's uploads on the portal page (letters the authority sent are left out)."""
    page = browser.get(f"/portal/cases/{case_id}").get_data(as_text=True)
    app = browser.client.application
    with app.extensions["lotsen"].db.unit_of_work(write=False) as session:
        uploads = {d.id for d in session.scalars(select(Document).where(Document.case_id == case_id,
                                                                        Document.kind == "upload"))}
    return [href for href, doc_id in re.findall(rf'href="(/cases/{case_id}/documents/(\d+))"', page)
            if int(doc_id) in uploads]


def test_a_program_sent_as_a_pdf_is_refused_and_nothing_kept(app, client, actors, rt):
    case_id = Api(client, actors).as_("applicant").submit()["id"]
    browser, r = _upload(app, case_id, b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "ritning.pdf", "application/pdf")
    assert r.status_code == 422
    assert "ritning.pdf: the content is not a PDF, PNG, JPEG, text or Word document" in r.get_data(as_text=True)
    assert _links(browser, case_id) == []
    folder = rt.settings.documents_dir / str(case_id)
    assert not folder.exists() or not any(folder.iterdir())


def test_html_sent_as_html_is_kept_as_plain_text_and_never_rendered(app, client, actors):
    case_id = Api(client, actors).as_("applicant").submit()["id"]
    browser, r = _upload(app, case_id, b"<html><script>alert(document.cookie)</script></html>", "x.html", "text/html")
    [href] = _links(browser, case_id)
    download = browser.get(href)
    assert download.headers["Content-Type"].startswith("text/plain")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_a_download_is_typed_by_its_content_named_safely_and_runs_nothing(app, client, actors):
    case_id = Api(client, actors).as_("applicant").submit()["id"]
    browser, r = _upload(app, case_id, PNG, "ritning\u202egnp.html", "text/html")
    assert r.status_code == 302
    [href] = _links(browser, case_id)
    download = browser.get(href)
    assert download.status_code == 200 and download.data == PNG
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "\u202e" not in disposition and "%E2%80%AE" not in disposition
    assert "ritninggnp.html" in disposition


def test_the_refusal_names_the_file_in_the_reader_s_language(app, client, actors):
    case_id = Api(client, actors).as_("applicant").submit()["id"]
    browser = Browser(app)
    browser.login("anna")
    page = f"/portal/cases/{case_id}"
    r = browser.post_form(page, f"{page}/supplement", {"message": "x", "documents": (io.BytesIO(b"\x00\x01"), "a.bin")},
                          content_type="multipart/form-data", headers={"Accept-Language": "sv"})
    assert "a.bin: innehållet är inte en PDF, PNG, JPEG, text eller ett Word-dokument" in r.get_data(as_text=True)
