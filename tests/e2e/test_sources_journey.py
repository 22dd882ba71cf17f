"""Where signatures come from: a visitor follows a partner's link and signs; a made-up code
is dropped from the address; the owner goes from the dashboard to the sources page, reads
the numbers, defines a code of their own and finds the export filter. In English, in French
and on a 390 px wide phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from organizer.campaigns import revisions
from organizer.extensions import db
from organizer.partners.models import Partner, PartnerStatus
from organizer.signatures.models import SignatureStatus
from tests.e2e.steps import no_sideways_scroll as _no_sideways_scroll
from tests.factories import PASSWORD, GroupFactory, SignatureFactory, UserFactory
from tests.signatures.conftest import make_campaign

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

SLUG = "sources-walk"
SOURCES = f"/organize/{SLUG}/sources"


def _seed(app) -> str:
    with app.app_context():
        owner = UserFactory(email="sourcer@example.org", display_name="Sam Sourcer")
        campaign = make_campaign(owner, slug=SLUG, title="Users' strike")
        partner = GroupFactory(name="Friends of the Earth Lyon")
        db.session.add(Partner(campaign_id=campaign.id, group_id=partner.id,
                               source_code="partner-a", status=PartnerStatus.ACTIVE))  # fmt: skip
        revision = revisions.published_revision(campaign)
        for source, status, n in (("partner-a", SignatureStatus.CONFIRMED, 3),
                                  ("share-mastodon", SignatureStatus.CONFIRMED, 2),
                                  ("share-mastodon", SignatureStatus.PENDING, 2),
                                  (None, SignatureStatus.CONFIRMED, 4)):  # fmt: skip
            for _ in range(n):
                SignatureFactory(campaign_id=campaign.id, revision_id=revision.id,
                                 source=source, status=status)  # fmt: skip
        db.session.commit()
        return owner.email


def _log_in(page, email: str) -> None:
    page.goto("/account/login")
    page.locator("[name=email]").fill(email)
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _row(page, code: str):
    return page.locator("table.sources tbody tr", has=page.locator(f"code:text-is('{code}')"))


def _visitor_signs_through_the_partner(page, shots) -> None:
    page.goto(f"/c/{SLUG}?source=made-up&lang=en")
    expect(page).to_have_url(re.compile(rf"/c/{SLUG}\?lang=en$"))
    page.goto(f"/c/{SLUG}?source=partner-a")
    expect(page.locator("form.sign-form input[name=source]")).to_have_value("partner-a")
    form = page.locator("form.sign-form")
    form.locator("[name=name]").fill("Ada Lovelace")
    form.locator("[name=email]").fill("ada@example.org")
    form.locator("[name=country]").select_option("GB")
    form.locator("button[type=submit]").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    shots(page, "visitor-signed")


def _walk(page, shots, label: str) -> None:
    """From "Your campaigns" to the dashboard, its Sources tool, then the exports page."""
    page.locator(f'main a[href="/organize/{SLUG}"]').click()
    page.locator(f'.organizer-nav a[href="{SOURCES}"]').click()
    expect(page).to_have_url(re.compile(f"{SOURCES}$"))
    expect(page.locator(f'.organizer-nav a[href="{SOURCES}"]')).to_have_attribute(
        "aria-current", "page"
    )
    shots(page, f"{label}-sources")
    _no_sideways_scroll(page)
    page.locator(f'.organizer-nav a[href="/organize/{SLUG}/exports"]').click()
    expect(page.locator("select[name=source] option[value=partner-a]")).to_have_count(1)
    shots(page, f"{label}-exports")
    _no_sideways_scroll(page)
    page.locator('.organizer-nav a[href="/organize"]').click()


def test_the_owner_follows_signatures_to_their_sources(
    app, browser, live_server, shots, committed_db
):
    email = _seed(app)
    desktop = browser.new_context(base_url=live_server, locale="en-GB")
    try:
        page = desktop.new_page()
        _visitor_signs_through_the_partner(page, shots)
        _log_in(page, email)
        page.locator(f'main a[href="/organize/{SLUG}"]').click()
        page.locator(f'.organizer-nav a[href="{SOURCES}"]').click()
        partner = _row(page, "partner-a")
        expect(partner).to_contain_text("Partner: Friends of the Earth Lyon")
        # Three confirmed and the visitor's, waiting: 3 of 4.
        expect(partner.locator("td").nth(0)).to_have_text("3")
        expect(partner.locator("td").nth(1)).to_have_text("1")
        expect(partner.locator("td").nth(2)).to_have_text("75%")
        expect(_row(page, "share-mastodon").locator("td").nth(2)).to_have_text("50%")
        page.locator("[name=code]").fill("Stall Lyon")
        page.get_by_role("button", name="Add the code").click()
        expect(page.locator(".field.has-error")).to_contain_text("lowercase letters")
        page.locator("[name=code]").fill("stall-lyon")
        page.locator("[name=label]").fill("Saturday stall, place Bellecour")
        page.get_by_role("button", name="Add the code").click()
        expect(page.locator(".source-codes")).to_contain_text("stall-lyon")
        expect(_row(page, "stall-lyon")).to_contain_text("Saturday stall")
        page.locator('.organizer-nav a[href="/organize"]').click()
        _walk(page, shots, "en")
        page.locator(".language-switch button[value=fr]").click()
        page.wait_for_load_state()
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        _walk(page, shots, "fr")
        page.goto(SOURCES)
        expect(_row(page, "partner-a").locator("td").nth(2)).to_have_text("75\u00a0%")
        page.locator(".language-switch button[value=en]").click()
        page.wait_for_load_state()
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
