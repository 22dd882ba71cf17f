"""An organizer reaches the supporter list from their groups, filters it, opens a supporter
and tags them, in English, in French and on a 390 px wide phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from organizer.extensions import db
from organizer.groups.models import GroupMembership, GroupRole
from tests.e2e.steps import no_sideways_scroll as _no_sideways_scroll
from tests.factories import PASSWORD, GroupFactory, SupporterFactory, TagFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def _seed(app) -> None:
    with app.app_context():
        owner = UserFactory(email="sana@example.org", display_name="Sana Supporters")
        group = GroupFactory(owner=owner, slug="night-riders", name="Night Riders")
        viewer = UserFactory(email="vic@example.org")
        db.session.add(GroupMembership(group_id=group.id, user_id=viewer.id, role=GroupRole.VIEWER))
        TagFactory(group_id=group.id, name="Volunteer")
        SupporterFactory(group=group, name="Ada Lovelace", email="ada@example.org", country="GB",
                         language="en")  # fmt: skip
        for n in range(4):
            SupporterFactory(group=group, name=f"Rider {n}", email=f"rider{n}@example.org")
        db.session.commit()


def _log_in(page, email: str) -> None:
    page.goto("/account/login")
    page.locator("[name=email]").fill(email)
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _to_supporters(page) -> None:
    page.locator('.account-nav a[href="/organize/groups"]').click()
    page.get_by_role("link", name="Night Riders").first.click()
    page.locator('.organizer-nav a[href="/organize/groups/night-riders/supporters"]').click()
    expect(page).to_have_url(re.compile(r"/supporters$"))


def _journey(page, shots, label: str) -> None:
    _to_supporters(page)
    expect(page.locator("#supporter-count")).to_contain_text("5")
    shots(page, f"{label}-list")
    page.locator("select[name=add]").select_option("country:GB")
    page.locator("select[name=add]").locator("xpath=ancestor::form").locator("button").click()
    expect(page.locator("#supporter-count")).to_contain_text("1")
    expect(page.locator("table.supporters")).to_contain_text("Ada Lovelace")
    _no_sideways_scroll(page)
    shots(page, f"{label}-filtered")
    page.get_by_role("link", name="Ada Lovelace").click()
    page.locator("select[name=tag_id]").select_option(label="Volunteer")
    page.locator("select[name=tag_id]").locator("xpath=ancestor::form").locator("button").click()
    expect(page.locator(".flash-success")).to_be_visible()
    _no_sideways_scroll(page)
    shots(page, f"{label}-supporter")
    page.locator("main .filter-chips form button").click()  # take the tag off again
    expect(page.locator(".flash-success")).to_be_visible()


def test_an_organizer_filters_the_supporters_and_tags_one(
    app, browser, live_server, shots, committed_db
):
    _seed(app)
    desktop = browser.new_context(base_url=live_server, locale="en-GB")
    try:
        page = desktop.new_page()
        _log_in(page, "sana@example.org")
        _journey(page, shots, "en")
        page.locator(".language-switch button[value=fr]").click()
        page.wait_for_load_state()
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        _journey(page, shots, "fr")
    finally:
        desktop.close()
    phone = browser.new_context(
        base_url=live_server, locale="en-GB", viewport={"width": 390, "height": 844}
    )
    try:
        page = phone.new_page()
        _log_in(page, "sana@example.org")
        _journey(page, shots, "phone")
        page.context.clear_cookies()
        _log_in(page, "vic@example.org")
        _to_supporters(page)
        expect(page.locator("main")).not_to_contain_text("Ada Lovelace")
        shots(page, "phone-viewer")
    finally:
        phone.close()
