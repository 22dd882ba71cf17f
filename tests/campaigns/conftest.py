"""Campaign fixtures: a campaign with text, built through the services as organizers do."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from organizer.campaigns import revisions, services
from organizer.extensions import db
from tests.factories import UserFactory


def build_campaign(owner, title="Platform accountability", slug="", sections=None):
    campaign = services.create_campaign(
        owner,
        services.CampaignDetails(
            title=title, summary="Make platforms answer.", language="en", slug=slug
        ),
    )
    for section_title, demands in (
        sections
        or {
            "Transparency": ["Publish every political ad.", "Open the ad archive to researchers."],
            "Privacy": ["Ask before using photos for ads."],
        }
    ).items():
        section = services.add_section(campaign, owner, section_title, ["transparency"])
        for text in demands:
            services.add_demand(section, owner, text, ["privacy"], [])
    db.session.flush()
    return campaign


def publish(campaign, user, note=""):
    revision = revisions.publish(campaign, user, note)
    db.session.flush()
    return revision


@pytest.fixture
def owner(ctx):
    return UserFactory(display_name="Olive Owner")


@pytest.fixture
def campaign(owner):
    return build_campaign(owner)


@pytest.fixture
def published(campaign, owner):
    publish(campaign, owner, "First text.")
    return campaign


@contextmanager
def setup(app):
    """Data for view tests: built in its own app context and committed (to a savepoint), so
    that each request gets a fresh flask.g, as in production."""
    with app.app_context():
        yield
        db.session.commit()


def login(client, email):
    from tests.factories import PASSWORD
    from tests.support.web import submit

    response = submit(client, "/account/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
