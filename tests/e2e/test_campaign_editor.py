"""An organizer drafts, reorders and publishes a grievance list, then publishes a rewording;
a visitor sees both revisions in the change log and the diff between them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from organizer.extensions import db
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def _organizer(app) -> str:
    with app.app_context():
        user = UserFactory(email="camille@example.org", display_name="Camille")
        db.session.commit()
        return user.email


def _demand(page, text):
    return page.locator("li.demand", has_text=text)


def _add_demand(page, letter, text, topic):
    page.get_by_role("link", name=f"Add a demand to section {letter}").click()
    page.get_by_label("Demand", exact=True).fill(text)
    page.get_by_label(topic, exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(_demand(page, text.replace("**", ""))).to_be_visible()


def test_draft_reorder_publish_reword_and_republish(
    app, page, browser, live_server, shots, committed_db
):
    email = _organizer(app)
    page.goto("/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Welcome back, Camille.")).to_be_visible()

    page.goto("/organize/new")
    page.get_by_label("Title", exact=True).fill("Users' terms 2026")
    page.get_by_label("Summary", exact=True).fill("What platform users ask before they come back.")
    page.get_by_label("Signature goal").fill("10000")
    shots(page, "new-campaign")
    page.get_by_role("button", name="Create the campaign").click()
    expect(page.get_by_text("Your campaign is created.")).to_be_visible()

    for title, topic in (("Transparency for voters", "Elections"), ("Privacy", "Privacy")):
        page.get_by_label("Section title").fill(title)
        page.locator("#add-section-heading + form").get_by_label(topic, exact=True).check()
        page.get_by_role("button", name="Add the section").click()
        expect(page.get_by_role("heading", name=title)).to_be_visible()
    _add_demand(page, "A", "Publish every political ad.", "Transparency")
    _add_demand(page, "A", "Stop paid political ads until the election.", "Elections")
    _add_demand(page, "B", "Ask before using **photos** for ads.", "Privacy")
    shots(page, "drafted")

    # Without JavaScript: the second demand goes up, then the privacy section goes first.
    _demand(page, "Stop paid political ads").get_by_role("button", name="Move up").click()
    page.locator("section", has=page.get_by_role("heading", name="B. Privacy")).get_by_role(
        "button", name="Move up"
    ).first.click()
    expect(page.get_by_role("heading", name="A. Privacy")).to_be_visible()
    expect(_demand(page, "Stop paid political ads")).to_contain_text("B1")
    shots(page, "reordered")

    page.get_by_role("link", name="Review and publish revision 1").click()
    expect(page.get_by_text("Added B2:")).to_be_visible()
    page.get_by_label("What changed").fill("The first text.")
    shots(page, "publish-revision-1")
    page.get_by_role("button", name="Publish revision 1").click()
    expect(page.get_by_text("Revision 1 is published.")).to_be_visible()
    expect(page.locator("#A1")).to_contain_text("photos")
    shots(page, "public-revision-1")

    page.goto("/organize/users-terms-2026/text")
    page.get_by_role("link", name="Edit B2").click()
    page.get_by_label("Demand", exact=True).fill("Publish every political ad and its targeting.")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Review and publish revision 2").click()
    expect(page.get_by_text("Reworded B2:")).to_be_visible()
    page.get_by_label("What changed").fill("Targeting too.")
    page.get_by_role("button", name="Publish revision 2").click()
    expect(page.get_by_text("Revision 2 is published.")).to_be_visible()

    visitor = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    try:
        reader = visitor.new_page()
        reader.goto("/c/users-terms-2026")
        changelog = reader.locator(".changelog")
        expect(changelog).to_contain_text("Revision 2")
        expect(changelog).to_contain_text("Revision 1")
        expect(changelog).to_contain_text("Targeting too.")
        assert visitor.cookies() == []
        shots(reader, "visitor-phone")
        reader.get_by_role("link", name="What changed since revision 1").click()
        expect(reader.get_by_text("Reworded B2:")).to_be_visible()
        expect(reader.locator("ins").first).to_contain_text("targeting")
        shots(reader, "visitor-diff")
        reader.goto("/c/users-terms-2026#B2")
        expect(reader.locator("#B2")).to_contain_text("and its targeting")
    finally:
        visitor.close()
