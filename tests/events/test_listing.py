"""The public screenings listing: partial city search, modes, cards, pages and "near me",
on PostgreSQL and on SQLite (the gazetteer is loaded by the same migration on both)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from organizer.db import utcnow
from organizer.events import listing
from organizer.events.models import EventMode
from organizer.extensions import db
from tests.events.conftest import confirmed_guest
from tests.factories import CampaignFactory, EventFactory

PARIS = {"city": "Paris", "country": "FR", "latitude": 48.85341, "longitude": 2.3488}
LYON = {"city": "Lyon", "country": "FR", "latitude": 45.74846, "longitude": 4.84671}
LILLE = {"city": "Lille", "country": "FR", "latitude": 50.63297, "longitude": 3.05858}


def _text(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def check_search(client):
    """What a visitor finds, whatever the database."""
    EventFactory(title="In Paris", **PARIS)
    EventFactory(title="In Lyon", **LYON)
    EventFactory(
        title="Hybrid in Lille", mode=EventMode.HYBRID, online_link="https://x.example/", **LILLE
    )
    EventFactory(title="Only online", mode=EventMode.ONLINE, city="", country="", venue_name="")
    db.session.commit()

    found = _text(client.get("/events?city=par"))
    assert "In Paris" in found and "In Lyon" not in found
    assert "In Paris" in _text(client.get("/events?city=PAR"))

    in_person = _text(client.get("/events?mode=in_person"))
    assert "Hybrid in Lille" in in_person and "In Paris" in in_person
    assert "Only online" not in in_person

    suggestions = client.get("/events/cities.json?q=Par").get_json()
    assert suggestions[0]["label"].startswith("Paris, ")

    near = _text(client.get("/events?near=Par"))
    assert near.index("In Paris") < near.index("Hybrid in Lille") < near.index("In Lyon")
    assert "Only online" not in near.split('id="past-heading"')[0]
    assert "km away" in near


def test_search_on_postgresql(client, ctx):
    check_search(client)


@pytest.fixture
def sqlite_app(make_app, migrated_sqlite_url):
    lite = make_app({"TESTING": True}, DATABASE_URL=migrated_sqlite_url)
    with lite.app_context():
        assert db.engine.dialect.name == "sqlite"
    return lite


def test_search_on_sqlite(sqlite_app):
    with sqlite_app.app_context():
        check_search(sqlite_app.test_client())


def test_cards_show_places_left_full_badge_and_campaign(client, ctx):
    campaign = CampaignFactory(
        title="Clean Rivers", status="published", first_published_at=utcnow()
    )
    roomy = EventFactory(campaign=campaign, title="Roomy", capacity=3)
    full = EventFactory(campaign=campaign, title="Packed", capacity=1)
    confirmed_guest(roomy, "a@example.org")
    confirmed_guest(full, "b@example.org")
    page = _text(client.get("/events"))
    roomy_card = page[page.index("Roomy") : page.index("Packed")]
    assert "2 places left" in roomy_card and "Campaign: Clean Rivers" in roomy_card
    packed_card = page[page.index("Packed") :].split("</li>")[0]
    assert "Full" in packed_card and "places left" not in packed_card


def test_one_place_left_is_singular(client, ctx):
    EventFactory(title="Nearly", capacity=1)
    assert "1 place left" in _text(client.get("/events"))


def test_pages_of_twenty(client, ctx, monkeypatch):
    start = utcnow() + timedelta(days=3)
    for n in range(listing.PAGE_SIZE + 1):
        EventFactory(
            title=f"Night {n:02d}",
            starts_at=start + timedelta(hours=n),
            ends_at=start + timedelta(hours=n, minutes=90),
        )
    first = _text(client.get("/events"))
    assert "Night 19" in first and "Night 20" not in first and 'rel="next"' in first
    second = _text(client.get("/events?page=2"))
    assert "Night 20" in second and "Night 00" not in second and 'rel="prev"' in second


def test_geolocation_is_allowed_on_the_listing_only(client, ctx):
    listing_page = client.get("/events")
    assert "geolocation=(self)" in listing_page.headers["Permissions-Policy"]
    home = client.get("/")
    assert "geolocation=()" in home.headers["Permissions-Policy"]


def test_a_position_is_rounded_and_sorts_by_distance(client, ctx):
    EventFactory(title="In Paris", **PARIS)
    EventFactory(title="In Lyon", **LYON)
    page = _text(client.get("/events?lat=45.757814&lon=4.832011"))
    assert page.index("In Lyon") < page.index("In Paris")
    assert "near your location" in page
    # The form does not carry the position on to the next search.
    assert 'name="lat" id="lat" value=""' in page


def test_a_city_not_in_the_gazetteer_is_said(client, ctx):
    page = _text(client.get("/events?near=Xqzzyville"))
    assert "is not in our list of cities" in page


MADRID = {"city": "Madrid", "country": "ES", "latitude": 40.4165, "longitude": -3.70256}


@pytest.mark.parametrize(("language", "kilometres"), [("en", "1,052"), ("fr", "1\u202f052")])
def test_distances_use_the_readers_number_format(client, ctx, language, kilometres):
    EventFactory(title="In Madrid", **MADRID)
    page = _text(client.get("/events?near=Paris", headers={"Accept-Language": language}))
    assert kilometres in page


def test_the_campaign_rollup_counts_held_screenings_attendees_and_those_to_come(ctx):
    from organizer.events.models import EventReport, EventStatus

    campaign = CampaignFactory()
    held = [EventFactory(campaign=campaign, status=EventStatus.COMPLETED) for _ in range(2)]
    EventFactory(campaign=campaign, status=EventStatus.COMPLETED)  # held, not reported
    EventFactory(campaign=campaign)  # approved, to come
    EventFactory(campaign=campaign, starts_at=utcnow() - timedelta(days=1))  # passed
    elsewhere = EventFactory(status=EventStatus.COMPLETED)  # another campaign's
    db.session.flush()
    for event, came in zip([*held, elsewhere], (12, 30, 500), strict=True):
        db.session.add(EventReport(event_id=event.id, attendee_count=came,
                                   reported_by_id=event.host_id))  # fmt: skip
    db.session.flush()
    assert listing.rollup(campaign) == listing.Rollup(screenings=2, attendees=42, upcoming=1)
