"""An organizer goes from "Your campaigns" to "My groups", creates a group, sets its postal
address, adds a teammate and starts a campaign in it, in English, in French and on a
390 px wide phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from organizer.extensions import db
from tests.campaigns.conftest import build_campaign
from tests.e2e.steps import no_sideways_scroll as _no_sideways_scroll
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def _seed(app) -> None:
    with app.app_context():
        owner = UserFactory(email="gina@example.org", display_name="Gina Group")
        build_campaign(owner, slug="bike-lanes", title="Bike lanes now")
        UserFactory(email="teo@example.org", display_name="Teo Teammate")
        db.session.commit()


def _log_in(page, email: str) -> None:
    page.goto("/account/login")
    page.locator("[name=email]").fill(email)
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _create(page, shots, label: str, name: str) -> str:
    page.locator('.account-nav a[href="/organize/groups"]').click()
    expect(page).to_have_url(re.compile(r"/organize/groups$"))
    _no_sideways_scroll(page)
    shots(page, f"{label}-my-groups")
    page.locator("[name=name]").fill(name)
    page.locator("[name=description]").fill("Cyclists who ride to work.")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator(".flash-error")).to_be_visible()  # no postal address yet
    _no_sideways_scroll(page)
    shots(page, f"{label}-dashboard")
    return page.url.rsplit("/", 1)[1]


def _configure(page, shots, label: str, slug: str) -> None:
    page.locator(f'.organizer-nav a[href="/organize/groups/{slug}/settings"]').click()
    page.locator("[name=postal_address]").fill("Cyclists' Club\n4 Rue du Guidon\n31000 Toulouse")
    page.locator("main form.stacked button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    _no_sideways_scroll(page)
    shots(page, f"{label}-settings")
    page.locator(f'.organizer-nav a[href="/organize/groups/{slug}/team"]').click()
    page.locator("[name=email]").fill("nobody@example.org")
    page.locator("section.card form button[type=submit]").click()
    expect(page.locator(".field.has-error .error")).to_be_visible()
    page.locator("[name=email]").fill("teo@example.org")
    page.locator("section.card form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("table.team")).to_contain_text("Teo Teammate")
    _no_sideways_scroll(page)
    shots(page, f"{label}-team")
    page.locator(f'.organizer-nav li a[href="/organize/groups/{slug}"]').click()
    expect(page.locator(".flash-error")).to_have_count(0)


def test_an_organizer_creates_a_group_and_starts_a_campaign_in_it(
    app, browser, live_server, shots, committed_db
):
    _seed(app)
    desktop = browser.new_context(base_url=live_server, locale="en-GB")
    try:
        page = desktop.new_page()
        _log_in(page, "gina@example.org")
        slug = _create(page, shots, "en", "Cyclists' Club")
        _configure(page, shots, "en", slug)
        page.locator(f'main a[href="/organize/new?group={slug}"]').click()
        expect(page.locator("[name=group]")).to_have_value(slug)
        shots(page, "en-new-campaign")
        page.locator("[name=title]").fill("Safe crossings")
        page.locator("[name=summary]").fill("Lights at every crossing.")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        page.goto("/organize")
        page.get_by_role("link", name="Safe crossings").click()
        page.locator(f'main a[href="/organize/groups/{slug}"]').click()
        expect(page.locator("main table")).to_contain_text("Safe crossings")
        shots(page, "en-dashboard-with-campaign")
        page.locator(".language-switch button[value=fr]").click()
        page.wait_for_load_state()
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        shots(page, "fr-dashboard")
        french = _create(page, shots, "fr", "Club des cyclistes")
        _configure(page, shots, "fr", french)
    finally:
        desktop.close()
    phone = browser.new_context(
        base_url=live_server, locale="en-GB", viewport={"width": 390, "height": 844}
    )
    try:
        page = phone.new_page()
        _log_in(page, "gina@example.org")
        phone_slug = _create(page, shots, "phone", "Cyclists of the night")
        _configure(page, shots, "phone", phone_slug)
    finally:
        phone.close()
