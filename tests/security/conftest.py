"""A site on either database: hostile input must fail the same way on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from organizer.extensions import db
from tests.factories import EventFactory, UserFactory
from tests.signatures.conftest import make_campaign

ORIGIN = {"Origin": "http://localhost"}


@dataclass
class Site:
    app: Flask
    client: Any
    slug: str
    event_id: int


def _seed(app: Flask) -> Site:
    with app.app_context():
        owner = UserFactory(display_name="Olive Owner")
        campaign = make_campaign(owner, slug="strike")
        event = EventFactory(campaign=campaign, capacity=5)
        db.session.commit()
        return Site(app, app.test_client(), campaign.slug, event.id)


@pytest.fixture(params=["postgresql", "sqlite"])
def site(request: pytest.FixtureRequest) -> Site:
    if request.param == "postgresql":
        app = request.getfixturevalue("app")
        request.getfixturevalue("db_session")
        return _seed(app)
    make_app = request.getfixturevalue("make_app")
    app = make_app(
        {"TESTING": True, "PUBLIC_FORMS_ALLOW_MISSING_ORIGIN": False},
        DATABASE_URL=request.getfixturevalue("migrated_sqlite_url"),
    )
    app.config.update(SIGN_LIMIT_PER_IP="100000/minute", SIGN_LIMIT_PER_DOMAIN="100000/minute")
    return _seed(app)
