"""A signer opens "manage" from their email, sees what the group holds, and erases it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_signatures_journey import _count_becomes, _mail_link, beat  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

SLUG = "journey-strike"


@pytest.fixture
def campaign(app, committed_db):
    from organizer.extensions import db
    from tests.factories import UserFactory
    from tests.signatures.conftest import make_campaign

    with app.app_context():
        campaign = make_campaign(
            UserFactory(display_name="Olive Owner"), slug=SLUG, goal=10, title="Users' strike"
        )
        campaign.group.name = "Friends of Fair Platforms"
        db.session.commit()


def test_see_my_data_with_the_group_then_erase_it(page, shots, campaign, beat):  # noqa: F811
    page.goto(f"/c/{SLUG}")
    page.get_by_label("Your name").fill("Olympe de Gouges")
    page.get_by_label("Your email").fill("olympe@example.org")
    page.get_by_label("Country").select_option("FR")
    updates = page.get_by_label("Send me updates from Friends of Fair Platforms.")
    updates.check()
    shots(page, "the-box-names-the-group")
    page.get_by_role("button", name="Sign", exact=True).click()
    confirm_path = _mail_link(page, "Confirm your signature: Users' strike", "/s/confirm/")
    page.goto(confirm_path)
    page.get_by_role("button", name="Confirm my signature").click()
    _count_becomes(page, "1")

    manage_path = _mail_link(page, "Confirm your signature: Users' strike", "/s/manage/")
    page.goto(manage_path)
    heading = page.get_by_role("heading", name="Your data with Friends of Fair Platforms")
    expect(heading).to_be_visible()
    expect(page.get_by_text("Receives the group's updates")).to_be_visible()
    shots(page, "my-data-with-the-group")
    page.set_viewport_size({"width": 390, "height": 844})
    shots(page, "my-data-narrow")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Erase my data…").click()
    expect(page.get_by_role("heading", name="What is kept")).to_be_visible()
    shots(page, "erase-asks-first")
    page.get_by_role("button", name="Erase my data for good").click()
    expect(
        page.get_by_role("heading", name="Your data with Friends of Fair Platforms is erased")
    ).to_be_visible()
    shots(page, "erased")
    _count_becomes(page, "1")  # the signature still counts
    page.goto(manage_path)
    # The link died with the data it pointed to.
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
