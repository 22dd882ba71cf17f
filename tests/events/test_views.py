"""Public pages: listings, the event page, and the guest's RSVP, confirm and manage pages.
What is hidden (a home's street address, the online link) never reaches a non-guest."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from icalendar import Calendar

from organizer.db import utcnow
from organizer.events.models import EventMode, EventStatus, RSVPStatus, Visibility
from organizer.extensions import db
from tests.events.conftest import confirmed_guest
from tests.factories import EventFactory
from tests.support.mail import emails_to

ORIGIN = {"Origin": "http://localhost"}
SECRET_STREET = "7 impasse Secrète"
SECRET_LINK = "https://meet.example.org/secret-room"


def _hidden_event(**overrides):
    values = dict(
        mode=EventMode.HYBRID, is_home=True, street_address=SECRET_STREET,
        online_link=SECRET_LINK, postal_code="75011", city="Paris",
    )  # fmt: skip
    values.update(overrides)
    return EventFactory(**values)


def _jsonld(html):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


def test_the_event_page_has_json_ld_and_open_graph(client, ctx):
    event = EventFactory(mode=EventMode.IN_PERSON)
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    data = _jsonld(html)
    assert data["@type"] == "Event"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["location"]["address"]["streetAddress"] == "12 rue des Lilas"
    assert f'<meta property="og:title" content="{event.title}">' in html


def test_an_online_event_has_a_virtual_location_pointing_at_the_page(client, ctx):
    event = EventFactory(mode=EventMode.ONLINE, online_link=SECRET_LINK, city="", country="")
    data = _jsonld(client.get(f"/events/{event.id}").get_data(as_text=True))
    assert data["location"]["@type"] == "VirtualLocation"
    assert data["location"]["url"].endswith(f"/events/{event.id}")
    assert data["eventAttendanceMode"].endswith("OnlineEventAttendanceMode")


def test_hidden_address_and_link_are_absent_for_non_guests(client, ctx):
    event = _hidden_event()
    campaign = event.campaign
    served = [
        client.get(f"/events/{event.id}").get_data(as_text=True),
        client.get(f"/events/{event.id}/event.ics").get_data(as_text=True),
        client.get(f"/c/{campaign.slug}/events.ics").get_data(as_text=True),
        client.get(f"/c/{campaign.slug}/events").get_data(as_text=True),
        client.get("/events").get_data(as_text=True),
    ]
    for body in served:
        assert "Secrète" not in body and "impasse" not in body
        assert "secret-room" not in body
        assert "75011" not in body
    assert "Paris" in served[0]  # the city is public
    data = _jsonld(served[0])
    places = data["location"] if isinstance(data["location"], list) else [data["location"]]
    assert "streetAddress" not in json.dumps(places)
    entry = Calendar.from_ical(served[1]).walk("VEVENT")[0]
    assert "impasse" not in str(entry.get("LOCATION", ""))
    assert "secret" not in str(entry["DESCRIPTION"])


def test_a_confirmed_guest_sees_them_on_the_manage_page_and_in_the_email(client, ctx):
    event = _hidden_event()
    guest = confirmed_guest(event, "guest@example.org")
    from organizer.events import links

    token = links.manage_token(guest)
    page = client.get(f"/events/rsvp/{token}")
    assert SECRET_STREET in page.get_data(as_text=True)
    assert SECRET_LINK in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-store"
    ics = client.get(f"/events/rsvp/{token}/event.ics").get_data(as_text=True)
    assert "secret-room" in ics
    (going,) = emails_to("guest@example.org", "rsvp_going")
    assert SECRET_LINK in going.text_body and SECRET_STREET in going.text_body
    (confirm,) = emails_to("guest@example.org", "rsvp_confirm")
    assert SECRET_LINK not in confirm.text_body and SECRET_STREET not in confirm.text_body


def test_a_waitlisted_guest_does_not_see_them(client, ctx):
    event = _hidden_event(capacity=1)
    confirmed_guest(event, "first@example.org")
    waiting = confirmed_guest(event, "second@example.org")
    from organizer.events import links

    body = client.get(f"/events/rsvp/{links.manage_token(waiting)}").get_data(as_text=True)
    assert SECRET_STREET not in body and SECRET_LINK not in body


def test_an_anonymous_reader_gets_no_cookie_and_the_same_page(client, ctx):
    event = EventFactory()
    first = client.get(f"/events/{event.id}")
    second = client.get(f"/events/{event.id}")
    assert "Set-Cookie" not in first.headers
    assert "csrf_token" not in first.get_data(as_text=True)
    assert first.get_data() == second.get_data()
    assert "Set-Cookie" not in client.get("/events").headers


def test_rsvp_confirm_by_post_then_manage_and_cancel(client, ctx):
    event = EventFactory(capacity=3)
    response = client.post(
        f"/events/{event.id}/rsvp",
        data={"name": "Ada", "email": "ada@example.org", "party_size": "2"},
        headers=ORIGIN,
    )
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    (email,) = emails_to("ada@example.org", "rsvp_confirm")
    link = re.search(r"http\S+/events/rsvp/confirm/\S+", email.text_body).group(0)
    path = link.split("5000", 1)[-1] if "5000" in link else link
    page = client.get(path)
    assert page.status_code == 200 and "Confirm my RSVP" in page.get_data(as_text=True)
    assert not emails_to("ada@example.org", "rsvp_going")  # a GET confirms nothing
    confirmed = client.post(path, headers=ORIGIN)
    assert confirmed.status_code == 302
    manage = client.get(confirmed.headers["Location"]).get_data(as_text=True)
    assert "You are going" in manage
    assert client.post(path, headers=ORIGIN).status_code == 400  # single use
    cancel_url = confirmed.headers["Location"] + "/cancel"
    asked = client.post(cancel_url, headers=ORIGIN)
    assert asked.status_code == 200 and "Yes, cancel my RSVP" in asked.get_data(as_text=True)
    assert "You are going" in client.get(confirmed.headers["Location"]).get_data(as_text=True)
    assert client.post(cancel_url, data={"confirm": "y"}, headers=ORIGIN).status_code == 302
    assert "Your RSVP is cancelled." in client.get(confirmed.headers["Location"]).get_data(
        as_text=True
    )


def test_a_cross_site_rsvp_is_refused(client, ctx):
    event = EventFactory()
    response = client.post(
        f"/events/{event.id}/rsvp",
        data={"name": "Eve", "email": "eve@example.org", "party_size": "1"},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert not emails_to("eve@example.org")


def test_bad_rsvp_input_is_a_form_error(client, ctx):
    event = EventFactory()
    response = client.post(
        f"/events/{event.id}/rsvp",
        data={"name": "", "email": "not-an-address", "party_size": "zero"},
        headers=ORIGIN,
    )
    assert response.status_code == 400
    assert "Please correct the fields" in response.get_data(as_text=True)


def test_party_size_over_the_limit_is_a_form_error(client, ctx):
    event = EventFactory()
    response = client.post(
        f"/events/{event.id}/rsvp",
        data={"name": "Big", "email": "big@example.org", "party_size": "40"},
        headers=ORIGIN,
    )
    assert response.status_code == 400
    assert "A party is 1 to 10 people." in response.get_data(as_text=True)


def test_rsvp_errors_come_in_the_guests_language_and_say_what_is_wrong(client, ctx):
    event = EventFactory()
    response = client.post(
        f"/events/{event.id}/rsvp",
        data={"name": "", "email": "ada@example.org", "party_size": "0"},
        headers={**ORIGIN, "Accept-Language": "fr"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ce champ est requis." in body and "This field is required." not in body
    # 0 is out of range, not missing; and the range is the server's (10), not the old 50.
    assert "Un groupe compte de 1 à 10 personnes." in body
    assert "Set-Cookie" not in response.headers


def test_listings_filter_and_put_past_events_apart(client, ctx):
    lyon = EventFactory(city="Lyon", country="FR")
    online = EventFactory(mode=EventMode.ONLINE, online_link=SECRET_LINK, city="", country="")
    berlin = EventFactory(city="Berlin", country="DE", campaign=lyon.campaign)
    past = EventFactory(
        city="Lyon", starts_at=utcnow() - timedelta(days=3), title="Last week screening"
    )
    pending = EventFactory(status=EventStatus.PENDING, title="Not yet approved")
    unlisted = EventFactory(visibility=Visibility.UNLISTED, title="Only with the link")
    html = client.get("/events").get_data(as_text=True)
    upcoming, past_part = html.split("Past screenings", 1)
    for shown in (lyon, online, berlin):
        assert shown.title in upcoming
    assert past.title in past_part and past.title not in upcoming
    assert pending.title not in html and unlisted.title not in html
    filtered = client.get("/events?country=DE").get_data(as_text=True)
    assert berlin.title in filtered and lyon.title not in filtered
    by_city = client.get("/events?city=lyon").get_data(as_text=True)
    assert lyon.title in by_city and berlin.title not in by_city.split("Past")[0]
    by_mode = client.get("/events?mode=online").get_data(as_text=True)
    assert online.title in by_mode and lyon.title not in by_mode
    day = berlin.starts_at.date().isoformat()
    ranged = client.get(f"/events?from={day}&to={day}").get_data(as_text=True)
    assert berlin.title in ranged
    later = (berlin.starts_at + timedelta(days=2)).date().isoformat()
    assert berlin.title not in client.get(f"/events?from={later}").get_data(as_text=True)
    per_campaign = client.get(f"/c/{lyon.campaign.slug}/events").get_data(as_text=True)
    assert lyon.title in per_campaign and berlin.title in per_campaign
    assert online.title not in per_campaign


def test_pending_events_are_hidden_from_the_public(client, ctx):
    event = EventFactory(status=EventStatus.PENDING)
    assert client.get(f"/events/{event.id}").status_code == 404
    assert client.get(f"/events/{event.id}/event.ics").status_code == 404


def test_unknown_manage_and_confirm_tokens(client, ctx):
    assert client.get("/events/rsvp/nope").status_code == 404
    assert client.get("/events/rsvp/confirm/nope").status_code == 400


def test_waitlisted_rsvp_page_shows_the_place_in_line(client, ctx):
    event = EventFactory(capacity=1)
    confirmed_guest(event, "a@example.org")
    confirmed_guest(event, "b@example.org")
    third = confirmed_guest(event, "c@example.org")
    assert third.status == RSVPStatus.WAITLISTED
    from organizer.events import links

    body = client.get(f"/events/rsvp/{links.manage_token(third)}").get_data(as_text=True)
    assert "number 2 in line" in body
    db.session.flush()


def test_a_party_too_big_for_the_places_left_is_offered_the_waitlist(client, ctx):
    event = EventFactory(capacity=4)
    data = {"name": "Pair", "email": "pair@example.org", "party_size": "3"}
    from tests.events.conftest import confirmed_guest

    confirmed_guest(event, "first@example.org", 2)
    offered = client.post(f"/events/{event.id}/rsvp", data=data, headers=ORIGIN)
    body = offered.get_data(as_text=True)
    assert "Only 2 places are left, so a party of 3 goes on the waitlist." in body
    assert 'name="accept_waitlist" value="y"' in body
    too_big = client.post(f"/events/{event.id}/rsvp", data={**data, "party_size": "5"},
                          headers=ORIGIN)  # fmt: skip
    assert too_big.status_code == 400
    assert "This screening has 4 places in all" in too_big.get_data(as_text=True)
    taken = client.post(f"/events/{event.id}/rsvp", data={**data, "accept_waitlist": "y"},
                        headers=ORIGIN)  # fmt: skip
    assert "Check your email" in taken.get_data(as_text=True)
