"""A host registers a screening; guests RSVP and confirm through /dev/mail; the event fills,
a second guest waits, the first cancels, and the second is promoted and told by email."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from organizer.campaigns import revisions, services
from organizer.campaigns.models import CampaignStatus
from organizer.db import utcnow
from organizer.events import hosting
from organizer.extensions import db
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def _campaign_and_host(app) -> str:
    with app.app_context():
        owner = UserFactory(display_name="Olive Owner")
        campaign = services.create_campaign(
            owner,
            services.CampaignDetails(
                title="Platform accountability", summary="Make platforms answer.",
                language="en", slug="platform-accountability", documentary_title="The Great Hack",
            ),
        )  # fmt: skip
        section = services.add_section(campaign, owner, "Transparency", ["transparency"])
        services.add_demand(section, owner, "Publish every political ad.", ["privacy"], [])
        revisions.publish(campaign, owner, "First text.")
        campaign.status = CampaignStatus.PUBLISHED
        hosting.update_settings(
            campaign, "I will show the film in full and keep guests' details private.", False
        )
        UserFactory(email="host@example.org", display_name="Hana Host")
        db.session.commit()
        return campaign.slug


def _open_mail(page, to: str, subject: str) -> None:
    page.goto("/dev/mail")
    for _ in range(80):
        link = page.locator("tr", has_text=to).get_by_role("link", name=subject)
        if link.count():
            link.first.click()
            return
        page.wait_for_timeout(250)
        page.reload()
    raise AssertionError(f"no email {subject!r} to {to} arrived in /dev/mail")


def _rsvp(page, event_url: str, name: str, email: str, party: int) -> None:
    page.goto(event_url)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("How many people, you included").fill(str(party))


def _confirm_from_mail(page, email: str) -> None:
    _open_mail(page, email, "Confirm your RSVP")
    page.locator("pre a[href*='/events/rsvp/confirm/']").click()
    page.get_by_role("button", name="Confirm my RSVP").click()


def test_host_registers_guests_fill_it_and_the_waitlist_moves(
    page, browser, live_server, shots, app, committed_db, worker_devmail
):
    slug = _campaign_and_host(app)

    # The host registers a screening for two people and accepts the terms.
    page.goto("/account/login")
    page.get_by_label("Email").fill("host@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/c/{slug}")
    shots(page, "campaign-page")
    page.get_by_role("link", name="Host a screening").first.click()
    day = (utcnow() + timedelta(days=12)).date().isoformat()
    page.get_by_label("Title", exact=True).fill("Film night at Marie's")
    page.get_by_label("Date", exact=True).fill(day)
    page.get_by_label("Starts at", exact=True).fill("19:00")
    page.get_by_label("Ends on", exact=True).fill(day)
    page.get_by_label("Ends at", exact=True).fill("21:30")
    page.get_by_label("Venue", exact=True).fill("Chez Marie")
    page.get_by_label("Street address", exact=True).fill("3 rue Cachée")
    page.get_by_label("City", exact=True).fill("Nantes")
    page.get_by_label("Country", exact=True).select_option("FR")
    page.get_by_label("This is a private home").check()
    page.get_by_label("Capacity", exact=True).fill("2")
    page.get_by_label("I accept the screening terms above.").check()
    shots(page, "host-form")
    page.get_by_role("button", name="Register the screening").click()
    expect(page.get_by_text("Your screening is published.")).to_be_visible()
    shots(page, "host-manage")
    event_url = page.get_by_role("link", name="Public page").get_attribute("href")

    guests = browser.new_context(base_url=live_server, locale="en-GB")
    guest = guests.new_page()
    try:
        # The first guest takes both places and confirms through the dev mailbox.
        _rsvp(guest, event_url, "Ada", "ada@example.org", 2)
        expect(guest.get_by_text("2 places left.")).to_be_visible()
        expect(guest.get_by_text("3 rue Cachée")).to_have_count(0)
        shots(guest, "event-page")
        guest.get_by_role("button", name="RSVP").click()
        expect(guest.get_by_role("heading", name="Check your email")).to_be_visible()
        _confirm_from_mail(guest, "ada@example.org")
        going = guest.get_by_text("You are going, Ada, with 2 people in your party.")
        expect(going).to_be_visible()
        expect(guest.get_by_text("3 rue Cachée")).to_be_visible()  # a confirmed guest sees it
        shots(guest, "ada-going")
        ada_manage = guest.url

        # The event is full: the next guest joins the waitlist.
        guest.goto(event_url)
        expect(guest.get_by_role("button", name="Join the waitlist")).to_be_visible()
        _rsvp(guest, event_url, "Ben", "ben@example.org", 1)
        shots(guest, "event-full")
        guest.get_by_role("button", name="Join the waitlist").click()
        _confirm_from_mail(guest, "ben@example.org")
        expect(guest.get_by_text("You are on the waitlist (number 1 in line)")).to_be_visible()
        shots(guest, "ben-waitlisted")

        # Ada cancels; Ben is promoted and told by email.
        guest.goto(ada_manage)
        guest.get_by_role("button", name="Cancel my RSVP").click()
        shots(guest, "ada-cancel-asks")
        guest.get_by_role("button", name="Yes, cancel my RSVP").click()
        expect(guest.get_by_text("Your RSVP is cancelled.")).to_be_visible()
        shots(guest, "ada-cancelled")
        _open_mail(guest, "ben@example.org", "A place freed up")
        expect(guest.get_by_text("You are going, with 1 person in your party.")).to_be_visible()
        shots(guest, "ben-promoted-email")
    finally:
        guests.close()

    page.reload()
    expect(page.get_by_role("cell", name="ben@example.org")).to_be_visible()
    shots(page, "host-guest-list")
