"""A person registers, confirms through /dev/mail, logs in and switches to French."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def _open_mail(page, subject: str) -> None:
    """Open the newest message with ``subject``, reloading until the worker delivers it."""
    page.goto("/dev/mail")
    for _ in range(60):
        link = page.get_by_role("link", name=subject)
        if link.count():
            link.first.click()
            return
        page.wait_for_timeout(250)
        page.reload()
    raise AssertionError(f"no email {subject!r} arrived in /dev/mail")


def test_register_verify_log_in_and_switch_to_french(page, shots, committed_db, worker_devmail):
    page.goto("/")
    shots(page, "home")
    page.get_by_role("link", name="Create an account").first.click()
    page.get_by_label("Name").fill("Olympe")
    page.get_by_label("Email").fill("olympe@example.org")
    page.get_by_label("Password").fill("declaration of rights 1791")
    shots(page, "register-form")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    shots(page, "check-your-email")

    _open_mail(page, "Verify your email address for Cahier")
    expect(page.get_by_text("olympe@example.org").first).to_be_visible()
    shots(page, "dev-mailbox-message")
    page.locator("pre a[href*='/account/verify/']").click()
    shots(page, "verify-page")
    page.get_by_role("button", name="Verify my address").click()
    expect(page.get_by_text("Your email address is verified. You can log in.")).to_be_visible()

    page.get_by_label("Email").fill("olympe@example.org")
    page.get_by_label("Password").fill("declaration of rights 1791")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Welcome back, Olympe.")).to_be_visible()
    # An account is for organizing: it lands on its campaigns.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your campaigns")
    shots(page, "logged-in")

    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos campagnes")
    shots(page, "french")

    # The choice is remembered on the account, not only in this browser.
    page.goto("/account/settings")
    expect(page.get_by_label("Langue")).to_have_value("fr")
