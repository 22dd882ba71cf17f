"""A stranger checks a published text: copies its full sha256, follows "How to verify",
downloads canonical.json, hashes it, and has /verify recognize the file."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import expect

from organizer.extensions import db
from tests.campaigns.conftest import build_campaign, publish
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

PHONE = {"width": 390, "height": 844}


def _published(app) -> None:
    with app.app_context():
        owner = UserFactory(display_name="Vera")
        publish(build_campaign(owner, title="Checkable terms", slug="checkable"), owner)
        db.session.commit()


def test_a_stranger_verifies_the_published_text(app, browser, live_server, shots, committed_db):
    _published(app)
    context = browser.new_context(base_url=live_server, locale="en-GB", accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    page.goto("/campaigns")
    page.get_by_role("link", name="Checkable terms").click()
    shown = page.locator(".verify-line code.sha256").inner_text()
    assert len(shown) == 64
    copy = page.locator(".verify-line button.copy-button")
    expect(copy).to_have_text("Copy")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == shown
    shots(page, "campaign-page")

    page.locator(".verify-line").get_by_role("link", name="How to verify").click()
    expect(page.get_by_text("sha256sum canonical.json")).to_be_visible()
    expect(page.locator("code.sha256").first).to_have_text(shown)
    shots(page, "how-to")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download canonical.json").click()
    download = download_info.value
    assert download.suggested_filename == "canonical.json"
    path = download.path()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == shown

    page.get_by_role("link", name="Check a document").last.click()
    page.get_by_label("Or a file").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="A published text")).to_be_visible()
    expect(page.get_by_role("link", name="Checkable terms")).to_be_visible()
    shots(page, "verified")
    context.close()

    phone = browser.new_context(base_url=live_server, locale="fr-FR", viewport=PHONE)
    french = phone.new_page()
    french.goto("/c/checkable")
    # By address, not name: the French strings are merged by the lead (see /work/fr).
    french.locator(".verify-line a[href*='/verify/how']").click()
    expect(french.get_by_text("shasum -a 256 canonical.json")).to_be_visible()
    shots(french, "how-to-fr-390")
    french.goto(f"/verify?sha256={shown[:12]}")
    shots(french, "verify-short-fr-390")
    phone.close()
