"""An organizer moves the last demand of a section down: it becomes the first demand of the
next section, and both sections stay numbered 1, 2, 3 (issue 12: it used to vanish)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from organizer.extensions import db
from tests.campaigns.conftest import build_campaign
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

SECTIONS = {
    "Transparency": ["Publish every political ad.", "Open the ad archive to researchers."],
    "Privacy": ["Ask before using photos for ads.", "Delete what we delete."],
}


def _organizer_with_campaign(app) -> str:
    with app.app_context():
        user = UserFactory(email="mover@example.org", display_name="Morgan")
        build_campaign(user, title="Moving demands", sections=SECTIONS)
        db.session.commit()
        return user.email


def _labels(page, heading):
    section = page.locator(
        "section.grievance-section", has=page.get_by_role("heading", name=heading)
    )
    return section.locator("li.demand")


def _open_the_editor(page):
    """From the header, the way an organizer goes: their campaigns, the campaign, its text."""
    page.get_by_role("link", name=re.compile(r"^(My|Your) campaigns$")).first.click()
    page.get_by_role("link", name="Moving demands").first.click()
    if page.get_by_role("button", name="Move down").count() == 0:
        # The campaign's dashboard: the text editor is one link further.
        page.get_by_role("link", name=re.compile(r"^(Text|Edit the text)$")).first.click()
    expect(page.get_by_role("button", name="Move down").first).to_be_visible()


def test_the_last_demand_moved_down_becomes_the_first_of_the_next_section(
    app, page, live_server, shots, committed_db
):
    email = _organizer_with_campaign(app)
    page.goto("/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    _open_the_editor(page)
    shots(page, "before")

    last_of_a = page.locator("li.demand", has_text="Open the ad archive to researchers.")
    expect(last_of_a.locator(".demand-label")).to_have_text("A2")
    last_of_a.get_by_role("button", name="Move down").click()

    moved = page.locator("li.demand", has_text="Open the ad archive to researchers.")
    expect(moved.locator(".demand-label")).to_have_text("B1")
    expect(_labels(page, "A. Transparency").locator(".demand-label")).to_have_text(["A1"])
    expect(_labels(page, "B. Privacy").locator(".demand-label")).to_have_text(["B1", "B2", "B3"])
    expect(_labels(page, "B. Privacy").first).to_contain_text("Open the ad archive")
    shots(page, "after")

    # Up again from the top of B: back to the end of A, nothing lost either way.
    moved.get_by_role("button", name="Move up").click()
    expect(_labels(page, "A. Transparency").locator(".demand-label")).to_have_text(["A1", "A2"])
    expect(_labels(page, "A. Transparency").last).to_contain_text("Open the ad archive")
    expect(_labels(page, "B. Privacy").locator(".demand-label")).to_have_text(["B1", "B2"])
