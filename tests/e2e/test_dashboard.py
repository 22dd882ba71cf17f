"""An owner logs in, lands on "Your campaigns", opens the campaign's dashboard and reaches
the letters, the screenings and the editor by clicking, in English, in French and on a
390 px wide phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from organizer.events.models import EventStatus
from organizer.extensions import db
from tests.e2e.steps import no_sideways_scroll as _no_sideways_scroll
from tests.factories import PASSWORD, EventFactory, UserFactory
from tests.letters.conftest import build_campaign

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

SLUG = "walk-through"


def _seed(app) -> str:
    with app.app_context():
        owner = UserFactory(email="walker@example.org", display_name="Wren Walker")
        campaign = build_campaign(owner, slug=SLUG, title="Users' strike walk-through")
        EventFactory(campaign=campaign, status=EventStatus.PENDING, title="Screening in Lyon")
        db.session.commit()
        return owner.email


def _log_in(page, email: str) -> None:
    page.goto("/account/login")
    page.locator("[name=email]").fill(email)
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _tool(page, path: str):
    return page.locator(f'.organizer-nav a[href="/organize/{SLUG}{path}"]')


def _walk(page, shots, label: str) -> None:
    """From "Your campaigns" to the dashboard, then letters, screenings and the editor."""
    expect(page).to_have_url(page.url.split("/organize")[0] + "/organize")
    page.locator(f'main a[href="/organize/{SLUG}"]').click()
    expect(page.locator("h1")).to_have_text("Users' strike walk-through")
    expect(page.locator(f'.attention a[href="/organize/{SLUG}/events"]')).to_be_visible()
    _no_sideways_scroll(page)
    shots(page, f"{label}-dashboard")
    for path, step in (("/letters", "letters"), ("/events", "screenings"), ("/text", "editor")):
        _tool(page, path).click()
        expect(page).to_have_url(page.url.split("/organize")[0] + f"/organize/{SLUG}{path}")
        expect(_tool(page, path)).to_have_attribute("aria-current", "page")
        _no_sideways_scroll(page)
        shots(page, f"{label}-{step}")
    page.locator('.organizer-nav a[href="/organize"]').click()
    expect(page).to_have_url(page.url.split("/organize")[0] + "/organize")


def test_the_owner_reaches_every_tool_from_the_dashboard(
    app, browser, live_server, shots, committed_db
):
    email = _seed(app)
    desktop = browser.new_context(base_url=live_server, locale="en-GB")
    try:
        page = desktop.new_page()
        _log_in(page, email)
        expect(page.get_by_role("heading", name="Your campaigns")).to_be_visible()
        page.get_by_role("link", name="Users' strike walk-through").click()
        expect(page.get_by_text("1 screening awaits approval")).to_be_visible()
        page.get_by_role("link", name="Your campaigns").click()
        _walk(page, shots, "en")
        page.locator(".language-switch button[value=fr]").click()
        page.wait_for_load_state()
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        _walk(page, shots, "fr")
    finally:
        desktop.close()
    phone = browser.new_context(
        base_url=live_server, locale="en-GB", viewport={"width": 390, "height": 844}
    )
    try:
        page = phone.new_page()
        _log_in(page, email)
        _walk(page, shots, "phone")
    finally:
        phone.close()
