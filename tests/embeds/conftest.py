"""Embed fixtures: a published campaign, and partners with a site of their own."""

from __future__ import annotations

from organizer.extensions import db
from organizer.partners.models import Partner, PartnerStatus
from tests.factories import GroupFactory, UserFactory
from tests.signatures.conftest import generous_limits, make_campaign, setup  # noqa: F401

SLUG = "embed-strike"
CAHIER = "http://localhost"
ORIGIN = {"Origin": CAHIER}


def published(app, slug=SLUG, goal=1000, **columns):
    with setup(app):
        owner = UserFactory(display_name="Olive Owner")
        campaign = make_campaign(owner, slug=slug, goal=goal, title="Users' strike")
        for name, value in columns.items():
            setattr(campaign, name, value)
        return owner.email


def add_partner(app, slug, code, origin, status=PartnerStatus.ACTIVE):
    from organizer.campaigns.services import get_by_slug

    with setup(app):
        campaign = get_by_slug(slug)
        group = GroupFactory()
        db.session.add(
            Partner(campaign_id=campaign.id, group_id=group.id, source_code=code,
                    status=status, origin=origin)
        )  # fmt: skip
