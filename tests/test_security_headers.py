"""Security headers on every response, and pages that keep to their Content-Security-Policy."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import create_app
from app.config import PROJECT_ROOT
from tests.helpers import Browser

TEMPLATES = PROJECT_ROOT / "app" / "web" / "templates"


def _assert_hardened(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/login", "/api/openapi.json", "/healthz", "/static/lotsen.css", "/no-such-page",
                                  "/api/cases/1"])
def test_every_kind_of_response_carries_the_security_headers(client, actors, path):
    response = client.get(path)
    _assert_hardened(response)
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP unless configured


def test_pages_refuse_inline_styles_except_where_a_diagram_is_drawn(actors, app):
    browser = Browser(app)
    browser.login("petra")
    assert "style-src 'self';" in browser.get("/studio/").headers["Content-Security-Policy"]
    edit = browser.get("/studio/building_permit/edit")
    assert edit.status_code == 200
    assert "style-src 'self' 'unsafe-inline'" in edit.headers["Content-Security-Policy"]
    assert "script-src 'self';" in edit.headers["Content-Security-Policy"]


def test_https_deployments_send_hsts(rt, actors):
    rt.settings.secure_cookies = True
    client = create_app(rt.settings, runtime=rt).test_client()
    assert client.get("/login").headers["Strict-Transport-Security"].startswith("max-age=31536000")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*(\bsrc=|\btype=\"application/json\"))[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_have_no_inline_script_the_policy_would_block(template: Path):
    text = template.read_text()
    found = [m.group(0) for rx in (INLINE_SCRIPT, INLINE_HANDLER, JS_URL) for m in rx.finditer(text)]
    assert not found, (f"{template.name}: move this into a script file under app/static "
                       f"(see app/static/lotsen.js for data-confirm, data-autosubmit, data-navigate): {found}")


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_page_behaviours_work_under_the_policy(page, client, actors):
    """Filters submit on change and dangerous buttons ask first, from app/static/lotsen.js."""
    from playwright.sync_api import expect

    from tests.helpers import browser_login

    browser_login(page, "coordinator")
    page.goto("/inbox")
    with page.expect_navigation():
        page.check("input[name=mine]")
    assert "mine=1" in page.url
    page.click("header form.inline button.link >> text=Log out")
    browser_login(page, "admin")
    page.goto("/admin/users")
    row = page.locator("tr", has_text="olga")
    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    row.locator("button.danger").click()
    assert asked == ["Delete this user?"]
    page.once("dialog", lambda dialog: answer(dialog, True))
    with page.expect_navigation():
        row.locator("button.danger").click()
    expect(page.locator(".flash-success")).to_be_visible()
    assert len(asked) == 2
