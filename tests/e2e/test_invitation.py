"""An invitation belongs to the address it was sent to: opened by another logged-in account it
changes nothing and says whom it is for; that account logs out, the invitee logs in, joins."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from organizer.campaigns.models import Membership
from organizer.extensions import db
from tests.campaigns.conftest import build_campaign
from tests.e2e.steps import within_the_width
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def _people(app) -> None:
    with app.app_context():
        owner = UserFactory(email="olive@example.org", display_name="Olive")
        build_campaign(owner, title="Users' terms", slug="users-terms")
        UserFactory(email="bob@example.org", display_name="Bob")
        UserFactory(email="carol@example.org", display_name="Carol")
        db.session.commit()


def _log_in(page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()


def _invitation_link(page) -> str:
    """The link in the newest invitation in /dev/mail, reloading until the worker delivers."""
    page.goto("/dev/mail")
    subject = "Olive invites you to the team of Users' terms"
    for _ in range(60):
        link = page.get_by_role("link", name=subject)
        if link.count():
            link.first.click()
            return page.locator("pre a[href*='/invitations/']").first.get_attribute("href")
        page.wait_for_timeout(250)
        page.reload()
    raise AssertionError("the invitation never reached /dev/mail")


def _members(app) -> set[str]:
    with app.app_context():
        return {m.user.email for m in db.session.scalars(select(Membership))}


def test_an_invitation_opened_by_the_wrong_account_changes_nothing(
    app, page, shots, committed_db, worker_devmail
):
    _people(app)
    page.goto("/account/login")
    _log_in(page, "olive@example.org")
    expect(page.get_by_role("heading", name="Your campaigns")).to_be_visible()
    page.get_by_role("link", name="Users' terms").click()
    page.get_by_role("link", name="Team", exact=True).first.click()
    page.get_by_label("Email", exact=True).fill("bob@example.org")
    page.get_by_label("Role", exact=True).select_option("organizer")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("The invitation is on its way to bob@example.org.")).to_be_visible()
    shots(page, "invitation-sent")
    link = _invitation_link(page)
    _log_out(page)

    page.goto("/account/login")
    _log_in(page, "carol@example.org")
    page.goto(link)
    expect(page.get_by_text("This invitation is for bob@example.org.")).to_be_visible()
    expect(page.get_by_text("You are logged in as carol@example.org")).to_be_visible()
    expect(page.get_by_role("button", name="Join the team")).to_have_count(0)
    shots(page, "wrong-account")
    assert "carol@example.org" not in _members(app)

    page.set_viewport_size({"width": 390, "height": 844})
    shots(page, "wrong-account-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Log out, then log in as bob@example.org").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    _log_in(page, "bob@example.org")
    expect(page.get_by_role("heading", name="Join the team of Users' terms")).to_be_visible()
    shots(page, "right-account")
    page.get_by_role("button", name="Join the team").click()
    expect(page.get_by_text("You joined the team of Users' terms.")).to_be_visible()
    shots(page, "joined")
    assert _members(app) == {"olive@example.org", "bob@example.org"}

    page.get_by_role("link", name="Team", exact=True).first.click()
    expect(page.get_by_role("cell", name="Bob", exact=False)).to_be_visible()
    assert page.get_by_role("link", name="Remove Olive").count() == 0  # Bob does not own it
    page.set_viewport_size({"width": 390, "height": 844})
    shots(page, "team-as-organizer-phone")

    # The owner sees Bob; removing him asks first, and cancelling keeps him.
    _log_out(page)
    page.goto("/account/login")
    _log_in(page, "olive@example.org")
    page.get_by_role("link", name="Users' terms").click()
    page.get_by_role("link", name="Team", exact=True).first.click()
    shots(page, "team-as-owner-phone")
    within_the_width(page, page.get_by_role("link", name="Remove Bob"))
    page.get_by_role("link", name="Remove Bob").click()
    expect(page.get_by_role("heading", name="Remove Bob from the team?")).to_be_visible()
    shots(page, "remove-asks-first-phone")
    page.get_by_role("link", name="Cancel").click()
    assert _members(app) == {"olive@example.org", "bob@example.org"}
