"""An organizer turns on two-factor login from the account settings, then logs in with it."""

from __future__ import annotations

import time

import pyotp
import pytest
from playwright.sync_api import expect

from organizer.extensions import db
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.integration]
PHONE = {"width": 390, "height": 844}


def _log_in(page, email: str) -> None:
    page.goto("/")
    page.locator("a[href^='/account/login']").first.click()
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()


def test_enrol_log_out_and_log_in_with_a_code(app, browser, live_server, shots, committed_db):
    with app.app_context():
        UserFactory(email="rosa@example.org", display_name="Rosa")
        db.session.commit()
    for locale, lang in (("en-GB", "en"), ("fr-FR", "fr")):
        context = browser.new_context(base_url=live_server, locale=locale, viewport=PHONE)
        context.set_default_timeout(15_000)
        page = context.new_page()
        _journey(page, shots, lang)
        context.close()


def _journey(page, shots, lang: str) -> None:
    _log_in(page, "rosa@example.org")
    if lang == "en":
        expect(page.get_by_text("Welcome back, Rosa.")).to_be_visible()
        page.get_by_role("link", name="Rosa").first.click()
        page.get_by_role("link", name="Set up two-factor login").click()
        expect(page.locator(".qr-code svg")).to_be_visible()
        shots(page, f"{lang}-enrol")
        secret = page.locator("code.totp-secret").inner_text()
        page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Turn on two-factor login").click()
        expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
        expect(page.locator(".recovery-codes li")).to_have_count(10)
        _journey.recovery = page.locator(".recovery-codes code").first.inner_text()  # type: ignore[attr-defined]
        shots(page, f"{lang}-recovery-codes")
        page.get_by_role("link", name="Back to your account").click()
        expect(page.get_by_text("On: logging in asks for a code")).to_be_visible()
        expect(page.get_by_text(secret)).to_have_count(0)
        _journey.secret = secret  # type: ignore[attr-defined]
        page.get_by_role("button", name="Log out", exact=True).click()
        _log_in(page, "rosa@example.org")
    expect(page.locator("input[name=code]")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_role("link", name="Rosa")).to_have_count(0)  # not logged in yet
    shots(page, f"{lang}-code-step")
    # English: the app's next code (enrolment spent this step's); French: a recovery code.
    next_code = pyotp.TOTP(_journey.secret).at(time.time() + 30)  # type: ignore[attr-defined]
    code = next_code if lang == "en" else _journey.recovery  # type: ignore[attr-defined]
    page.locator("input[name=code]").fill(code)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("link", name="Rosa").first).to_be_visible()
    shots(page, f"{lang}-logged-in")
