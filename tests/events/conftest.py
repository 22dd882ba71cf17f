"""Event fixtures and helpers: guests are seated through the services, as the views do."""

from __future__ import annotations

import pytest
from flask import g

from organizer.events import rsvp
from organizer.extensions import db
from tests.factories import EventFactory


def confirmed_guest(event, email, party_size=1, name="Guest", locale="en"):
    """Ask for places and confirm through the emailed token: going or waitlisted."""
    asked = rsvp.request_place(event, name, email, party_size, locale, None, accept_waitlist=True)
    guest = rsvp.confirm(asked.confirm_token)
    db.session.flush()
    return guest


@pytest.fixture
def event(ctx):
    return EventFactory(capacity=5)


def login(client, user):
    from tests.factories import PASSWORD
    from tests.support.web import submit

    g.pop("csrf_token", None)
    response = submit(client, "/account/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    # The test's app context outlives requests, and Flask-WTF caches the token in g: the
    # one made before login belongs to the old session.
    g.pop("csrf_token", None)
    return client
