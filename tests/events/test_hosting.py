"""Host and organizer pages: registering with the terms, approval, the guest list and CSV,
messages, cancelling, reports rolled up on the campaign page, and host resources."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest

from organizer.campaigns.models import CampaignStatus, Membership, Role
from organizer.db import utcnow
from organizer.events import hosting
from organizer.events.models import Event, EventReport, EventStatus, RSVPStatus
from organizer.events.rsvp import guests as event_guests
from organizer.extensions import db
from tests.campaigns.conftest import build_campaign, publish
from tests.events.conftest import confirmed_guest, login
from tests.factories import EventFactory, MembershipFactory, UserFactory
from tests.support.mail import emails_to
from tests.support.web import csrf_token, submit

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def campaign(ctx):
    owner = UserFactory(display_name="Olive Owner")
    campaign = build_campaign(owner)
    publish(campaign, owner)
    campaign.status = CampaignStatus.PUBLISHED
    db.session.flush()
    return campaign


def _form(**changes):
    day = (utcnow() + timedelta(days=10)).date().isoformat()
    data = {
        "title": "Film night", "description": "Bring snacks.", "start_date": day,
        "start_time": "19:00", "end_date": day, "end_time": "21:30",
        "timezone": "Europe/Paris", "mode": "in_person", "venue_name": "Chez Marie",
        "street_address": "3 rue Cachée", "city": "Nantes", "postal_code": "44000",
        "country": "FR", "is_home": "y", "capacity": "12", "visibility": "public",
        "accessibility_notes": "Ground floor.", "accept_terms": "y", "terms_version": "1",
    }  # fmt: skip
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_host_registers_and_awaits_approval_then_is_emailed(client, campaign):
    host = UserFactory(email="host@example.org")
    login(client, host)
    response = submit(client, f"/c/{campaign.slug}/events/new", _form())
    assert response.status_code == 302
    event = db.session.query(Event).filter_by(host_id=host.id).one()
    assert event.status == EventStatus.PENDING
    assert event.terms_version == 1 and event.terms_accepted_at is not None
    assert event.starts_at.astimezone().tzinfo is not None
    assert event.starts_at.hour in (17, 18)  # 19:00 in Paris
    assert db.session.query(Membership).filter_by(user_id=host.id, role=Role.HOST).count() == 1
    assert client.get(f"/events/{event.id}").status_code == 200  # the host sees it
    client.post("/account/logout", data={"csrf_token": csrf_token(client.get("/").get_data(True))})
    assert client.get(f"/events/{event.id}").status_code == 404  # nobody else does

    organizer = campaign.created_by
    login(client, organizer)
    page = client.get(f"/organize/{campaign.slug}/events")
    assert "Film night" in page.get_data(as_text=True)
    client.post(
        f"/organize/{campaign.slug}/events/{event.id}/decide",
        data={
            "decision": "approve",
            "note": "Welcome!",
            "csrf_token": csrf_token(page.get_data(True)),
        },
    )
    assert event.status == EventStatus.APPROVED
    (decision,) = emails_to("host@example.org", "event_decision")
    assert "approved" in decision.subject and "Welcome!" in decision.text_body


def test_registration_needs_the_terms_accepted(client, campaign):
    login(client, UserFactory())
    response = submit(client, f"/c/{campaign.slug}/events/new", _form(accept_terms=None))
    assert response.status_code == 200
    assert "Accept the terms" in response.get_data(as_text=True)
    assert db.session.query(Event).count() == 0


def test_terms_accepted_must_be_the_current_version(client, campaign):
    hosting.update_settings(campaign, "New terms: no popcorn.", require_approval=False)
    login(client, UserFactory())
    response = submit(client, f"/c/{campaign.slug}/events/new", _form(terms_version="1"))
    assert "Read and accept the screening terms" in response.get_data(as_text=True)
    response = submit(client, f"/c/{campaign.slug}/events/new", _form(terms_version="2"))
    assert response.status_code == 302
    event = db.session.query(Event).one()
    assert (event.status, event.terms_version) == (EventStatus.APPROVED, 2)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start_date": "2020-01-01", "end_date": "2020-01-01"}, "must start in the future"),
        ({"end_time": "18:00"}, "must end after it starts"),
        ({"mode": "online", "city": "", "country": ""}, "link guests will use"),
        ({"timezone": "Mars/Olympus"}, "Not a valid choice"),
        ({"capacity": "0"}, "Number must be between 1 and 100000."),
    ],
)
def test_bad_event_input_is_a_form_error(client, campaign, changes, message):
    login(client, UserFactory())
    response = submit(client, f"/c/{campaign.slug}/events/new", _form(**changes))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.query(Event).count() == 0


def test_a_time_skipped_by_the_clocks_is_refused(client, campaign):
    login(client, UserFactory())
    day = "2031-03-30"  # Paris goes from 02:00 to 03:00
    data = _form(start_date=day, end_date=day, start_time="02:30", end_time="04:00")
    response = submit(client, f"/c/{campaign.slug}/events/new", data)
    assert "the clocks skip it" in response.get_data(as_text=True)


def test_an_unverified_user_cannot_host(client, campaign):
    user = UserFactory(email_verified_at=None)
    with pytest.raises(hosting.EventError):
        hosting.register_event(campaign, user, None, 1)  # type: ignore[arg-type]


def test_guest_list_csv_message_and_cancel(client, ctx):
    event = EventFactory(capacity=2)
    confirmed_guest(event, "a@example.org", 2, name="=HYPERLINK(1)")
    confirmed_guest(event, "b@example.org", 1)
    login(client, event.host)
    csv = client.get(f"/events/{event.id}/guests.csv")
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0] == "name,email,party_size,status,confirmed_at,attended"
    assert "'=HYPERLINK(1),a@example.org,2,going" in lines[1]
    assert "b@example.org,1,waitlisted" in lines[2]

    page = client.get(f"/events/{event.id}/manage").get_data(as_text=True)
    sent = client.post(
        f"/events/{event.id}/message",
        data={
            "subject": "Parking",
            "body": "Use the back entrance.",
            "recipients": "all",
            "csrf_token": csrf_token(page),
        },
    )
    assert sent.status_code == 302
    (message,) = emails_to("b@example.org", "event_message")
    assert "back entrance" in message.text_body and message.subject.startswith("Parking")
    assert message.headers["Reply-To"] == event.host.email

    client.post(
        f"/events/{event.id}/cancel", data={"reason": "Storm.", "csrf_token": csrf_token(page)}
    )
    assert event.status == EventStatus.CANCELLED
    assert emails_to("a@example.org", "event_cancelled")
    assert emails_to("b@example.org", "event_cancelled")


def test_messages_to_guests_are_rate_limited(client, ctx, app):
    event = EventFactory()
    confirmed_guest(event, "a@example.org")
    login(client, event.host)
    token = csrf_token(client.get(f"/events/{event.id}/manage").get_data(as_text=True))
    codes = [
        client.post(
            f"/events/{event.id}/message",
            data={"subject": f"News {n}", "body": "Hello.", "csrf_token": token},
        ).status_code
        for n in range(4)
    ]
    assert codes == [302, 302, 302, 429]
    assert len(emails_to("a@example.org", "event_message")) == 3


def test_only_the_host_and_organizers_manage_an_event(client, ctx):
    event = EventFactory()
    login(client, UserFactory())
    assert client.get(f"/events/{event.id}/manage").status_code == 404
    assert client.get(f"/events/{event.id}/guests.csv").status_code == 404


def test_report_rolls_up_on_the_campaign_page(client, campaign):
    start = utcnow() - timedelta(hours=3)
    event = EventFactory(campaign=campaign, starts_at=start, ends_at=start + timedelta(hours=2))
    other = EventFactory(campaign=campaign, starts_at=start, ends_at=start + timedelta(hours=2))
    login(client, event.host)
    page = client.get(f"/events/{event.id}/manage").get_data(as_text=True)
    response = client.post(
        f"/events/{event.id}/report",
        data={"attendee_count": "1204", "notes": "Great talk.", "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 302
    assert event.status == EventStatus.COMPLETED and event.report.attendee_count == 1204
    other.status = EventStatus.COMPLETED
    db.session.add(EventReport(event_id=other.id, attendee_count=36, reported_by_id=other.host_id))
    db.session.flush()
    html = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert "2 screenings held · 1,240 attendees" in html


def test_reports_wait_for_the_screening(client, ctx):
    event = EventFactory()
    login(client, event.host)
    page = client.get(f"/events/{event.id}/manage").get_data(as_text=True)
    client.post(
        f"/events/{event.id}/report",
        data={"attendee_count": "5", "csrf_token": csrf_token(page)},
    )
    assert event.report is None


def test_resources_pdf_only_and_for_hosts_of_approved_events(client, campaign, app, tmp_path):
    app.config["HOST_RESOURCES_PATH"] = str(tmp_path)
    try:
        login(client, campaign.created_by)
        url = f"/organize/{campaign.slug}/events/resources"
        token = csrf_token(client.get(url).get_data(as_text=True))

        def upload(data, name="guide.pdf"):
            return client.post(
                url,
                data={"kind": "discussion", "file": (io.BytesIO(data), name), "csrf_token": token},
                content_type="multipart/form-data",
            )

        refused = upload(b"<html>not a pdf</html>", "guide.pdf")
        assert refused.status_code == 400 and "Only PDF files" in refused.get_data(as_text=True)
        app.config["HOST_RESOURCE_MAX_BYTES"] = 100
        assert "too large" in upload(PDF + b"x" * 200).get_data(as_text=True)
        app.config["HOST_RESOURCE_MAX_BYTES"] = 10 * 1024 * 1024
        assert upload(PDF).status_code == 302

        pending_host = EventFactory(campaign=campaign, status=EventStatus.PENDING).host
        approved_host = EventFactory(campaign=campaign).host
        path = f"/c/{campaign.slug}/host-resources/discussion.pdf"
        login(client, pending_host)
        assert client.get(path).status_code == 404
        login(client, approved_host)
        served = client.get(path)
        assert served.status_code == 200 and served.data == PDF
        assert served.mimetype == "application/pdf"
        served.close()
    finally:
        app.config["HOST_RESOURCES_PATH"] = str(tmp_path)


def test_organizer_settings_version_the_terms(client, campaign):
    MembershipFactory(campaign=campaign, role=Role.MODERATOR, user=UserFactory())
    login(client, campaign.created_by)
    url = f"/organize/{campaign.slug}/events/settings"
    response = submit(client, url, {"terms_text": "Show it in full.", "require_approval": ""})
    assert response.status_code == 302
    settings = hosting.settings_for(campaign)
    assert (settings.terms_version, settings.require_approval) == (2, False)


def _error_of(html, field):
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    return found.group(1) if found else None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"start_date": "2020-01-01", "end_date": "2020-01-01"}, "start_date", "in the future"),
        ({"end_time": "18:00"}, "end_time", "must end after it starts"),
        ({"mode": "online", "city": "", "country": ""}, "online_link", "link guests will use"),
        ({"city": ""}, "city", "Give the city"),
        ({"country": ""}, "country", "Choose the country"),
    ],
)
def test_each_rule_shows_its_error_under_its_own_field(client, campaign, changes, field, message):
    login(client, UserFactory())
    html = submit(client, f"/c/{campaign.slug}/events/new", _form(**changes)).get_data(True)
    assert message in (_error_of(html, field) or "")
    assert _error_of(html, "title") is None


def test_a_start_more_than_five_years_ahead_is_refused(client, campaign):
    login(client, UserFactory())
    day = (utcnow() + timedelta(days=6 * 366)).date().isoformat()
    data = _form(start_date=day, end_date=day)
    html = submit(client, f"/c/{campaign.slug}/events/new", data).get_data(as_text=True)
    assert "at most 5 years ahead" in (_error_of(html, "start_date") or "")
    assert db.session.query(Event).count() == 0


def test_a_time_that_occurs_twice_asks_which_one(client, campaign):
    login(client, UserFactory())
    day = "2030-10-27"  # Paris goes from 03:00 back to 02:00
    data = _form(start_date=day, end_date=day, start_time="02:30", end_time="04:00")
    html = submit(client, f"/c/{campaign.slug}/events/new", data).get_data(True)
    assert "occurs twice" in (_error_of(html, "start_time") or "")
    assert "GMT+02:00" in html and "GMT+01:00" in html
    assert db.session.query(Event).count() == 0
    response = submit(client, f"/c/{campaign.slug}/events/new", {**data, "fold": "1"})
    assert response.status_code == 302
    event = db.session.query(Event).one()
    assert (event.starts_at.hour, event.starts_at.minute) == (1, 30)  # 02:30 CET is 01:30 UTC


def test_pending_screenings_show_what_organizers_decide_on(client, campaign):
    event = EventFactory(
        campaign=campaign, status=EventStatus.PENDING, capacity=4,
        description="A long talk afterwards.", venue_name="Salle Jaurès",
    )  # fmt: skip
    login(client, campaign.created_by)
    html = client.get(f"/organize/{campaign.slug}/events").get_data(as_text=True)
    pending = html.split('id="pending-heading"')[1].split('id="all-heading"')[0]
    for expected in ("Salle Jaurès", "In person", "4 places", "A long talk afterwards.",
                     event.host.display_name):  # fmt: skip
        assert expected in pending


def test_a_host_adds_and_removes_a_guest_from_the_manage_page(client, ctx):
    event = EventFactory(capacity=3)
    login(client, event.host)
    page = client.get(f"/events/{event.id}/manage").get_data(as_text=True)
    added = client.post(
        f"/events/{event.id}/guests",
        data={"name": "Zoe", "email": "zoe@example.org", "party_size": "2",
              "csrf_token": csrf_token(page)},
    )  # fmt: skip
    assert added.status_code == 302
    (guest,) = event_guests(event)
    assert guest.added_by_host and emails_to("zoe@example.org", "rsvp_added")
    ask = client.get(f"/events/{event.id}/guests/{guest.id}/remove")
    assert "Yes, remove this guest" in ask.get_data(as_text=True)
    assert guest.status == RSVPStatus.GOING  # asking removes nobody
    client.post(
        f"/events/{event.id}/guests/{guest.id}/remove",
        data={"csrf_token": csrf_token(ask.get_data(as_text=True))},
    )
    assert guest.status == RSVPStatus.CANCELLED
    assert emails_to("zoe@example.org", "rsvp_removed")


def test_the_header_offers_my_screenings_to_hosts_only(client, ctx):
    event = EventFactory()
    login(client, event.host)
    assert 'href="/events/mine"' in client.get("/").get_data(as_text=True)
    client.post("/account/logout", data={"csrf_token": csrf_token(client.get("/").get_data(True))})
    login(client, UserFactory())
    assert 'href="/events/mine"' not in client.get("/").get_data(as_text=True)


def test_a_hosts_city_is_placed_from_the_gazetteer(client, campaign):
    host = UserFactory(email="placed@example.org")
    login(client, host)
    submit(client, f"/c/{campaign.slug}/events/new", _form(city="nantes"))
    event = db.session.query(Event).filter_by(host_id=host.id).one()
    assert event.latitude == pytest.approx(47.2, abs=0.1)
    assert event.longitude == pytest.approx(-1.55, abs=0.1)


def test_a_city_not_in_the_gazetteer_is_said_and_the_host_picks_the_nearest(client, campaign):
    host = UserFactory(email="hamlet@example.org")
    login(client, host)
    submit(client, f"/c/{campaign.slug}/events/new", _form(city="Saint-Glinglin-les-Oies"))
    event = db.session.query(Event).filter_by(host_id=host.id).one()
    assert event.latitude is None
    manage = client.get(f"/events/{event.id}/manage").get_data(as_text=True)
    assert "is not in our list of cities" in manage
    edit = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert "Choose the nearest listed city below" in edit
    response = submit(
        client, f"/events/{event.id}/edit",
        _form(city="Saint-Glinglin-les-Oies", nearest_city="Rennes"),
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(event)
    assert event.city == "Saint-Glinglin-les-Oies"
    assert event.latitude == pytest.approx(48.11, abs=0.1)
    assert "is not in our list" not in client.get(f"/events/{event.id}/manage").get_data(
        as_text=True
    )
