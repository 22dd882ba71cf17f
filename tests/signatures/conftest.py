"""Signature fixtures: a published campaign, signers, and a client that posts like a browser."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from organizer.campaigns import revisions, services
from organizer.extensions import db
from organizer.signatures import counting, signing
from organizer.signatures.canonical import parse_address
from organizer.signatures.consents import Purpose
from tests.factories import PASSWORD, UserFactory
from tests.support.web import submit

ORIGIN = {"Origin": "http://localhost"}


@pytest.fixture(autouse=True)
def generous_limits(app):
    """Most tests sign many times from one address; the abuse tests lower these again."""
    keys = ("SIGN_LIMIT_PER_IP", "SIGN_HARD_LIMIT_PER_IP", "SIGN_LIMIT_PER_DOMAIN")
    saved = {k: app.config[k] for k in keys}
    app.config.update(SIGN_LIMIT_PER_IP="100000/minute", SIGN_LIMIT_PER_DOMAIN="100000/minute")
    yield
    app.config.update(saved)


def make_campaign(owner, slug="", goal=None, title="Platform accountability"):
    campaign = services.create_campaign(
        owner,
        services.CampaignDetails(
            title=title,
            summary="Make platforms answer.",
            language="en",
            slug=slug,
            signature_goal=goal,
        ),
    )
    section = services.add_section(campaign, owner, "Transparency", ["transparency"])
    services.add_demand(section, owner, "Publish every political ad.", ["elections"], [])
    revisions.publish(campaign, owner, "First text.")
    db.session.flush()
    return campaign


@contextmanager
def setup(app):
    """Build data in its own app context and commit it (to the test's savepoint)."""
    with app.app_context():
        yield
        db.session.commit()


@dataclass
class Signed:
    outcome: signing.Outcome
    signature_id: int


def sign(campaign, email, name="Ada Lovelace", country="GB", ip="192.0.2.1", **extra):
    signer = signing.Signer(
        name=name,
        address=parse_address(email),
        country=country,
        postal_code=extra.pop("postal_code", None),
        consents=consents_of(
            extra.pop("show_name", True),
            extra.pop("receive_updates", False),
            extra.pop("name_to_authorities", False),
        ),
        locale="en",
        ip=ip,
        honeypot=extra.pop("honeypot", ""),
    )
    revision = revisions.published_revision(campaign)
    outcome, signature = signing.sign(campaign, revision, signer, extra.pop("pledge", None))
    db.session.flush()
    return outcome, signature


def consents_of(show_name=False, receive_updates=False, name_to_authorities=False):
    """The purposes of the sign form's boxes, ticked as given."""
    ticked = zip(Purpose, (show_name, receive_updates, name_to_authorities), strict=True)
    return frozenset(purpose for purpose, on in ticked if on)


def confirm_now(signature):
    """Confirm without the email: give it a fresh token and use it."""
    from organizer.signatures import confirmation
    from organizer.signatures.tokens import new_confirmation_token

    token = new_confirmation_token(signature)
    db.session.flush()
    assert confirmation.confirm(token) is not None
    db.session.flush()
    return signature


def folded_total(campaign):
    counting.fold()
    return counting.totals(campaign.id, campaign.signature_goal).online


@pytest.fixture
def owner(ctx):
    return UserFactory(display_name="Olive Owner")


@pytest.fixture
def campaign(owner):
    return make_campaign(owner, goal=100)


def login(client, email):
    response = submit(client, "/account/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
