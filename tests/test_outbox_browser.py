"""An administrator on a phone finds the failed e-mail in Swedish and sends it again (real Chromium)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.scheduler import deliver_outbox
from tests.helpers import browser_login
from tests.smtp import free_port
from tests.test_outbox import queue_mails, rows

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_failed_mail_is_found_and_retried_on_a_phone_in_swedish(page, rt):
    rt.settings.outbox_max_attempts = 1
    [failed] = queue_mails(rt, 1, recipient="en.mycket.lang.adress.till.en.sokande@byggforetaget-exempel.se")
    rt.settings.smtp_port = free_port()  # nobody listens: the e-mail becomes a dead letter
    assert deliver_outbox(rt) == 0
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, "admin")
    page.click("header button[lang=sv]")
    page.goto("/admin/")
    page.click("#failed-mails a")
    card = page.locator(f"#mail-{failed}")
    expect(card.locator(".badge")).to_have_text("Misslyckat")
    expect(card.locator(".error")).to_contain_text("Kunde inte ansluta till e-postservern.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off the screen
    with page.expect_navigation():
        card.get_by_role("button", name="Försök igen nu").click()
    expect(page.locator(".flash")).to_contain_text("skickas igen")
    mail = rows(rt)[failed]
    assert mail.status.value == "pending" and mail.attempts == 0
    assert page.js_errors == []
