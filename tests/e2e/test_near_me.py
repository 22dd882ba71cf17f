"""A visitor finds screenings near them: from the header to /events, a city picked from
the suggestions or the browser's position, and screenings sorted by distance in km."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from organizer.extensions import db
from tests.factories import EventFactory

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

PHONE = {"width": 390, "height": 844}
PLACES = [
    ("Screening in Lyon", "Lyon", 45.74846, 4.84671),
    ("Screening in Paris", "Paris", 48.85341, 2.3488),
    ("Screening in Lille", "Lille", 50.63297, 3.05858),
]


def _screenings(app) -> None:
    with app.app_context():
        for title, city, latitude, longitude in PLACES:
            EventFactory(
                title=title, city=city, country="FR", latitude=latitude, longitude=longitude
            )
        db.session.commit()


def _titles(page) -> list[str]:
    return page.locator("#upcoming-heading + * h3, .event-card h3").all_inner_texts()


def test_a_visitor_picks_paris_from_the_suggestions(browser, live_server, app, committed_db, shots):
    _screenings(app)
    context = browser.new_context(base_url=live_server, locale="en-GB", viewport=PHONE)
    page = context.new_page()
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Screenings").click()
    expect(page.get_by_role("heading", name="Screenings", exact=True)).to_be_visible()

    # Typed before near-me.js has run, the letters would ask for no suggestion at all (seen
    # once on a loaded machine): the page's scripts first.
    page.wait_for_load_state("load")
    near = page.get_by_label("Near")
    near.press_sequentially("Par")
    expect(page.locator("#city-suggestions option[value='Paris, France']")).to_have_count(1)
    near.fill("Paris, France")  # what choosing the suggestion puts in the field
    page.get_by_role("button", name="Search").click()

    expect(
        page.get_by_role("heading", name="Upcoming screenings near Paris, France")
    ).to_be_visible()
    assert _titles(page) == ["Screening in Paris", "Screening in Lille", "Screening in Lyon"]
    expect(page.locator(".event-card").nth(1).locator(".distance")).to_have_text("204 km away")
    shots(page, "near-paris-en")
    context.close()


def test_a_visitor_shares_their_position_in_french(browser, live_server, app, committed_db, shots):
    _screenings(app)
    context = browser.new_context(
        base_url=live_server, locale="fr-FR", viewport=PHONE,
        geolocation={"latitude": 45.7578, "longitude": 4.8320},
    )  # fmt: skip
    context.grant_permissions(["geolocation"])
    page = context.new_page()
    page.goto("/")
    page.locator(".main-nav a[href='/events']").click()
    location = page.locator("#use-location")
    expect(location).to_be_visible()
    location.click()
    page.wait_for_url("**lat=45.76**")
    assert "lon=4.83" in page.url
    assert _titles(page) == ["Screening in Lyon", "Screening in Paris", "Screening in Lille"]
    # French number format: a narrow no-break space groups the thousands, none here.
    expect(page.locator(".event-card").nth(1).locator(".distance")).to_contain_text("392")
    shots(page, "near-position-fr")
    context.close()
