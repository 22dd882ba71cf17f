"""Letter fixtures: the directory, a published campaign like the demo one, and signers."""

from __future__ import annotations

import itertools

import pytest

from organizer.campaigns import revisions, services
from organizer.db import utcnow
from organizer.extensions import db
from organizer.letters import directory, settings
from organizer.signatures.consents import Purpose, consent_rows
from organizer.signatures.models import Signature, SignatureConsent, SignatureStatus
from tests.factories import UserFactory

_emails = itertools.count(1)

# The demo campaign's shape: transparency for voters, privacy, a hearing before Congress.
DEMANDS = {
    "Transparency for voters": [
        ("Share the ads bought by foreign operatives.", ["elections", "transparency"], []),
        ("Testify before Congress in an open hearing.", ["legislature"], ["US"]),
    ],
    "Privacy for users": [
        ("Explain what personal data is used for advertising.", ["privacy", "consumer"], []),
        ("Ask for consent before using photos in ads.", ["privacy"], []),
    ],
}


SENDER = settings.SettingsDetails(
    signatory="Sam Signatory",
    organization="Friends of Fair Platforms",
    postal_address="12 Example Street\nLondon N1 9GU\nUnited Kingdom",
    email="letters@fair-platforms.example",
)


def build_campaign(owner, slug="", title="Facebook users' strike", language="en",
                   letter_settings=True):  # fmt: skip
    campaign = services.create_campaign(
        owner,
        services.CampaignDetails(
            title=title, summary="Terms for the platform.", language=language, slug=slug
        ),
    )
    for section_title, demands in DEMANDS.items():
        section = services.add_section(campaign, owner, section_title, [])
        for text, topics, places in demands:
            services.add_demand(section, owner, text, topics, places)
    revisions.publish(campaign, owner, "First text.")
    if letter_settings:
        settings.save(campaign, owner, SENDER)
    db.session.flush()
    return campaign


def add_signatures(campaign, country, count, *, show_name=True, updates=False, name=None,
                   postal_code=None, named=True):  # fmt: skip
    """Confirmed signatures, written straight to the table (signing is issue 4's to test);
    ``named`` is the consent to be named in letters to the authorities."""
    revision = revisions.published_revision(campaign)
    made = []
    for _ in range(count):
        n = next(_emails)
        signature = Signature(
            campaign_id=campaign.id,
            revision_id=revision.id,
            name=name or f"Signer {n} of {country}",
            email=f"signer{n}@example.org",
            canonical_email=f"signer{n}@example.org",
            email_domain="example.org",
            country=country,
            postal_code=postal_code,
            locale="en",
            status=SignatureStatus.CONFIRMED,
            confirmed_at=utcnow(),
            confirmed_day=utcnow().date(),
        )
        db.session.add(signature)
        made.append(signature)
    db.session.flush()
    wanted = [(show_name, Purpose.PUBLIC_LIST), (updates, Purpose.UPDATES),
              (named, Purpose.NAME_TO_AUTHORITIES)]  # fmt: skip
    purposes = [purpose for on, purpose in wanted if on]
    db.session.add_all(
        SignatureConsent(**row)
        for signature in made
        for row in consent_rows(signature.id, purposes, utcnow())
    )
    db.session.flush()
    return made


def seed_signers(campaign):
    """Signers from the five countries of the demo campaign."""
    for country, count in {"US": 4, "GB": 3, "FR": 2, "IE": 2, "IN": 1}.items():
        add_signatures(campaign, country, count)


@pytest.fixture
def regulators(ctx):
    directory.import_bundled()
    return {regulator.slug: regulator for regulator in directory.all_bodies()}


@pytest.fixture
def owner(ctx):
    return UserFactory(display_name="Olive Owner")


@pytest.fixture
def campaign(owner, regulators):
    campaign = build_campaign(owner)
    seed_signers(campaign)
    return campaign
