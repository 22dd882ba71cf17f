"""From the demo campaign's dashboard, an organizer reaches the routing plan and sees what a
domain expert would sign off: section A to US and UK bodies only, child safety to the FTC and
the ICO, and each demand's text, in English and in French, on a 390 px phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from organizer.demo import DEMO_CAMPAIGN_SLUG, DEMO_ORGANIZER_EMAIL
from tests.e2e.steps import no_sideways_scroll
from tests.e2e.test_letters_journey import _seed_demo
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def _row(page, acronym: str):
    return page.locator("table.plan-table tbody tr").filter(
        has=page.get_by_role("rowheader", name=acronym)
    )


def _reach_the_plan(page, plan_link: str) -> None:
    page.goto("/account/login")
    page.locator("[name=email]").fill(DEMO_ORGANIZER_EMAIL)
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto("/organize")
    page.locator(f'main a[href="/organize/{DEMO_CAMPAIGN_SLUG}"]').click()
    page.locator(f'.organizer-nav a[href="/organize/{DEMO_CAMPAIGN_SLUG}/letters"]').click()
    page.locator(f'main a.button[href="/organize/{DEMO_CAMPAIGN_SLUG}/letters/plan"]').click()
    expect(page.get_by_role("link", name=plan_link, exact=True).first).to_be_visible()


def _check_routing(page) -> None:
    a1, c1 = page.locator("#demand-A1"), page.locator("#demand-C1")
    expect(a1).to_contain_text("Russian operatives had purchased ads")
    for body in ("FEC", "Electoral Commission"):
        expect(a1).to_contain_text(body)
    for body in ("European Commission", "Arcom", "CNIL"):
        expect(a1).not_to_contain_text(body)
    expect(c1).to_contain_text("minimum age")
    for body in ("FTC", "ICO"):
        expect(c1).to_contain_text(body)
        expect(_row(page, body)).to_contain_text("C1")
    expect(_row(page, "European Commission")).not_to_contain_text("A1")
    expect(page.get_by_role("rowheader", name="TRAI")).to_have_count(0)
    no_sideways_scroll(page)


def test_the_demo_routing_from_the_dashboard_in_english_and_french(
    app, browser, live_server, shots, committed_db
):
    _seed_demo(app)
    phone = browser.new_context(
        base_url=live_server, locale="en-GB", viewport={"width": 390, "height": 844}
    )
    try:
        page = phone.new_page()
        _reach_the_plan(page, "Routing")
        _check_routing(page)
        shots(page, "en-plan")
        page.locator(".language-switch button[value=fr]").click()
        page.wait_for_load_state()
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        _check_routing(page)
        shots(page, "fr-plan")
    finally:
        phone.close()
