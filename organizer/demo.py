"""Demo data for `flask seed-demo`. Each step is idempotent: a second run changes nothing."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import select

from organizer.accounts.models import User
from organizer.accounts.passwords import hash_password
from organizer.campaigns.models import Campaign
from organizer.db import utcnow
from organizer.extensions import db
from organizer.groups.models import Group

DEMO_ORGANIZER_EMAIL = "organizer@example.org"
DEMO_CAMPAIGN_SLUG = "facebook-users-strike-2018"
DEMO_CAMPAIGN_FILE = "strike-2018-demands.json"
DEMO_GROUP_SLUG = "facebook-users-union"
DEMO_GROUP_NAME = "Facebook Users' Union"
DEMO_GROUP_ADDRESS = "Facebook Users' Union\n12 Rue des Grèves\n75011 Paris\nFrance"


@dataclass(frozen=True)
class SeededAccount:
    user: User
    password: str | None  # only when it was created by this run


def seed_demo_organizer() -> SeededAccount:
    user = db.session.scalar(select(User).where(User.email == DEMO_ORGANIZER_EMAIL))
    if user is not None:
        return SeededAccount(user, None)
    password = secrets.token_urlsafe(12)
    user = User(
        email=DEMO_ORGANIZER_EMAIL,
        display_name="Demo Organizer",
        password_hash=hash_password(password),
        email_verified_at=utcnow(),
        locale="en",
    )
    db.session.add(user)
    db.session.flush()
    return SeededAccount(user, password)


def seed_demo_regulators() -> int:
    """The bundled directory of bodies; returns how many were created or updated."""
    from organizer.letters import directory

    report = directory.import_bundled()
    return len(report.created) + len(report.updated)


def seed_demo_screenings(host: User) -> int:
    """Three screenings of the demo campaign (organizer/events/demo.py)."""
    from organizer.campaigns import services
    from organizer.events.demo import seed_demo_screenings as seed

    campaign = services.get_by_slug(DEMO_CAMPAIGN_SLUG)
    return 0 if campaign is None else seed(campaign, host)


def seed_demo_group(owner: User) -> Group:
    """The group that owns the demo campaign, with the demo organizer as its owner."""
    from organizer.groups.services import create_group

    group = db.session.scalar(select(Group).where(Group.slug == DEMO_GROUP_SLUG))
    if group is not None:
        return group
    group = create_group(owner, DEMO_GROUP_NAME, DEMO_GROUP_SLUG)
    group.description = (
        "Users of Facebook who went on strike on 1 May 2018 for transparency, privacy and "
        "the safety of children."
    )
    group.postal_address = DEMO_GROUP_ADDRESS
    db.session.flush()
    return group


def seed_demo_campaign(owner: User) -> Campaign | None:
    """The 2018 strike demands, published as revision 1. Returns None if already there."""
    from organizer.campaigns import revisions, services
    from organizer.campaigns.importing import parse_grievance_file

    if services.get_by_slug(DEMO_CAMPAIGN_SLUG) is not None:
        return None
    raw = resources.files("organizer.campaigns").joinpath("templates_data", DEMO_CAMPAIGN_FILE)
    text = parse_grievance_file(raw.read_bytes())
    details = services.CampaignDetails(
        title=text.title,
        summary=(
            "The terms Facebook users set on 1 May 2018: transparency for voters, privacy "
            "for users, safety for children."
        ),
        language=text.language or "en",
        slug=DEMO_CAMPAIGN_SLUG,
        signature_goal=100_000,
        documentary_title="The Great Hack",
        documentary_runtime_minutes=114,
        documentary_url="https://en.wikipedia.org/wiki/The_Great_Hack",
    )
    campaign = services.create_campaign(owner, details, seed_demo_group(owner))
    services.replace_text(campaign, owner, text)
    revisions.publish(campaign, owner, "The demands as published in 2018.")
    return campaign


def seed_demo_signatures() -> int:
    """A few hundred confirmed signatures on the demo campaign, whose signers are the demo
    group's supporters; 0 when already there."""
    from organizer.signatures.demo import seed_signatures
    from organizer.supporters.backfill import from_campaign

    added = seed_signatures(DEMO_CAMPAIGN_SLUG)
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == DEMO_CAMPAIGN_SLUG))
    if campaign is not None:
        # Inserted in bulk, not confirmed one by one: their supporters are made the same way.
        from_campaign(campaign.id)
    return added
