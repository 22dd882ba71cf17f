"""Sharing fixtures: a published campaign with a confirmed signer, and its owner."""

from __future__ import annotations

import pytest

from organizer.campaigns import revisions
from organizer.extensions import db
from organizer.signatures import counting
from tests.campaigns.conftest import build_campaign, login, setup
from tests.factories import UserFactory
from tests.signatures.conftest import confirm_now, sign

SLUG = "stall"
OWNER = "owner@example.org"
TITLE = "Platform accountability"

__all__ = ["OWNER", "SLUG", "TITLE", "login", "setup"]


def published_campaign(slug=SLUG, signers=1, title=TITLE):
    owner = UserFactory(email=f"owner-{slug}@example.org" if slug != SLUG else OWNER)
    campaign = build_campaign(owner, title=title, slug=slug)
    revisions.publish(campaign, owner, "First text.")
    db.session.flush()
    for n in range(signers):
        confirm_now(sign(campaign, f"signer{n}@example.org", country="FR")[1])
    counting.fold()
    return campaign


@pytest.fixture
def campaign(app, db_session):
    with setup(app):
        published_campaign()
    return SLUG


@pytest.fixture
def owner_client(client, campaign):
    return login(client, OWNER)
