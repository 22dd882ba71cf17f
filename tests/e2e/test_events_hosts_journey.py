"""Hosts in the browser: a host who never meets a 403 on the way to their screening; a
time change that reaches every guest with the new calendar file; a host message that goes
to the going guests only."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from organizer.campaigns import revisions, services
from organizer.campaigns.models import CampaignStatus, Membership, Role
from organizer.db import utcnow
from organizer.events import rsvp, times
from organizer.events.models import Event
from organizer.extensions import db
from organizer.mail.models import OutboundEmail
from tests.factories import PASSWORD, EventFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.integration]
TZ = "Europe/Paris"


def _seed(app) -> tuple[int, date]:
    """A published campaign and a screening at 20:00 Paris time with one place: Ada is
    going, Ben waits."""
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
        host = UserFactory(email="host@example.org", display_name="Hana Host")
        db.session.add(Membership(campaign_id=campaign.id, user_id=host.id, role=Role.HOST))
        day = (utcnow() + timedelta(days=10)).date()
        starts = times.to_utc(day, time(20, 0), TZ, 0)
        event = EventFactory(campaign=campaign, host=host, title="Film night", capacity=1,
                             starts_at=starts, ends_at=starts + timedelta(hours=2))  # fmt: skip
        for name in ("Ada", "Ben"):
            asked = rsvp.request_place(event, name, f"{name.lower()}@example.org", 1, "en", None)
            rsvp.confirm(asked.confirm_token or "")
        db.session.commit()
        return event.id, day


def _log_in(page) -> None:
    page.goto("/")
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("host@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _emails(app, kind: str) -> list[OutboundEmail]:
    with app.app_context():
        rows = db.session.scalars(
            select(OutboundEmail).where(OutboundEmail.kind == kind).order_by(OutboundEmail.id)
        )
        emails = list(rows)
        for email in emails:
            _ = [a.content for a in email.attachments]  # loaded before the session closes
        db.session.expunge_all()
        return emails


def test_a_host_never_meets_a_403(page, live_server, shots, app, committed_db):
    _seed(app)
    forbidden: list[str] = []
    page.on("response", lambda r: forbidden.append(r.url) if r.status == 403 else None)
    _log_in(page)
    page.get_by_role("link", name="My campaigns").click()
    shots(page, "my-campaigns")
    page.get_by_role("link", name="Platform accountability").click()
    expect(page.get_by_role("heading", name="My screenings")).to_be_visible()
    page.get_by_role("link", name="Film night").click()
    expect(page.get_by_role("heading", name="Guests", exact=True)).to_be_visible()
    shots(page, "manage")
    for name in ("Edit", "Public page"):
        page.get_by_role("link", name=name, exact=True).first.click()
        page.go_back()
    csv = page.get_by_role("link", name="Download the list (CSV)").get_attribute("href")
    assert page.request.get(csv or "").status == 200
    page.get_by_role("link", name="My campaigns").click()
    page.get_by_role("link", name="The campaign's public page").click()
    expect(page.get_by_role("heading", name="Platform accountability").first).to_be_visible()
    page.get_by_role("link", name="My screenings").click()  # in the header, for a host
    expect(page.get_by_role("heading", name="My screenings")).to_be_visible()
    shots(page, "my-screenings")
    page.set_viewport_size({"width": 390, "height": 844})
    shots(page, "my-screenings-390")
    page.get_by_role("button", name="Français").click()
    shots(page, "my-screenings-fr")
    assert forbidden == []


def test_a_time_change_reaches_every_guest_with_the_new_calendar_file(
    page, live_server, shots, app, committed_db, worker_devmail
):
    event_id, day = _seed(app)
    _log_in(page)
    page.get_by_role("link", name="My screenings").click()
    page.get_by_role("link", name="Film night").click()
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Starts at", exact=True).fill("21:00")
    page.get_by_label("Ends at", exact=True).fill("23:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The screening is updated.")).to_be_visible()

    changed = {e.to_addr: e for e in _emails(app, "event_changed")}
    assert set(changed) == {"ada@example.org", "ben@example.org"}
    new_start = times.to_utc(day, time(21, 0), TZ, 0)
    for email in changed.values():
        assert "20:00" in email.text_body and "21:00" in email.text_body
        assert "→" in email.text_body
        (ics,) = email.attachments
        (entry,) = Calendar.from_ical(ics.content).walk("VEVENT")
        assert int(entry["SEQUENCE"]) == 1
        assert entry.decoded("DTSTART") == new_start
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert event is not None and event.sequence == 1

    page.goto("/dev/mail")
    for _ in range(80):
        link = page.locator("tr", has_text="ben@example.org").get_by_role("link", name="Changed")
        if link.count():
            break
        page.wait_for_timeout(250)
        page.reload()
    link.first.click()
    expect(page.get_by_text("→").first).to_be_visible()
    shots(page, "waitlisted-guest-told")


def test_a_host_message_goes_to_going_guests_only(page, live_server, shots, app, committed_db):
    _seed(app)
    _log_in(page)
    page.get_by_role("link", name="My screenings").click()
    page.get_by_role("link", name="Film night").click()
    expect(page.get_by_label("Guests who are going")).to_be_checked()
    page.get_by_label("Subject").fill("Door code")
    page.get_by_label("Message").fill("The code is 4312.")
    shots(page, "message-form")
    page.get_by_role("button", name="Send the message").click()
    expect(page.get_by_text("Your message is on its way to 1 guest.")).to_be_visible()
    sent = _emails(app, "event_message")
    assert [e.to_addr for e in sent] == ["ada@example.org"]
    assert sent[0].headers["Reply-To"] == "host@example.org"
