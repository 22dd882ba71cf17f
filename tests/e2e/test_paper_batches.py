"""An organizer reaches the paper batches from the campaign's dashboard, is told under the
field why 5,000,000 is refused, records a batch by country, and sees it on the public page;
in English, in French and on a 390 px wide phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from organizer.extensions import db
from tests.e2e.steps import no_sideways_scroll as _no_sideways_scroll
from tests.factories import PASSWORD, UserFactory
from tests.signatures.conftest import make_campaign

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

SLUG = "paper-walk"


def _log_in(page, email: str) -> None:
    page.goto("/account/login")
    page.locator("[name=email]").fill(email)
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _to_paper_batches(page) -> None:
    page.locator(f'main a[href="/organize/{SLUG}"]').click()
    page.locator(f'a[href="/organize/{SLUG}/signatures"]').first.click()
    page.locator(f'a[href="/organize/{SLUG}/signatures/offline"]').first.click()
    expect(page).to_have_url(
        page.url.split("/organize")[0] + f"/organize/{SLUG}/signatures/offline"
    )


@pytest.mark.parametrize(
    ("locale", "width", "label"),
    [("en-GB", 1280, "en"), ("fr-FR", 1280, "fr"), ("en-GB", 390, "phone")],
)
def test_a_paper_batch_from_the_dashboard_to_the_public_page(
    app, browser, live_server, shots, committed_db, locale, width, label
):
    with app.app_context():
        owner = UserFactory(email="paper@example.org", locale=locale[:2])
        make_campaign(owner, slug=SLUG, goal=1000, title="Paper walk")
        db.session.commit()
    context = browser.new_context(
        base_url=live_server, locale=locale, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    try:
        _log_in(page, "paper@example.org")
        _to_paper_batches(page)
        page.locator("[name=count]").fill("5000000")
        page.locator("[name=collected_on]").fill("2024-05-01")
        page.locator("main form button[type=submit]").first.click()
        expect(page.locator("#count-error")).to_be_visible()
        shots(page, f"{label}-refused")
        page.locator("[name=count]").fill("120")
        page.locator("[name=countries]").fill("FR 100\nBelgium 20")
        page.locator("main form button[type=submit]").first.click()
        expect(page.locator("table.data tbody tr")).to_have_count(1)
        _no_sideways_scroll(page)
        shots(page, f"{label}-recorded")
        page.goto(f"/c/{SLUG}")
        expect(page.locator("table.countries")).to_contain_text("100")
        _no_sideways_scroll(page)
        shots(page, f"{label}-public")
    finally:
        context.close()
