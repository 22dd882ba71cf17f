"""The demo's signers, inserted in bulk, become the demo group's supporters."""

from __future__ import annotations

from sqlalchemy import func, select

from organizer import demo
from organizer.extensions import db
from organizer.signatures.consents import Purpose, consented
from organizer.signatures.models import Signature
from organizer.supporters.backfill import from_campaign
from organizer.supporters.models import ConsentEvent, Supporter, SupporterStatus


def _count(statement):
    return db.session.scalar(select(func.count()).select_from(statement.subquery()))


def test_the_demo_signers_are_the_demo_groups_supporters(ctx):
    account = demo.seed_demo_organizer()
    campaign = demo.seed_demo_campaign(account.user)
    added = demo.seed_demo_signatures()
    of_group = select(Supporter).where(Supporter.group_id == campaign.group_id)
    assert _count(of_group) == added
    unlinked = select(Signature).where(
        Signature.campaign_id == campaign.id, Signature.supporter_id.is_(None)
    )
    assert _count(unlinked) == 0
    opted_in = select(Signature).where(
        Signature.campaign_id == campaign.id, consented(Purpose.UPDATES)
    )
    subscribed = of_group.where(Supporter.status == SupporterStatus.SUBSCRIBED)
    assert 0 < _count(subscribed) == _count(opted_in) < added
    granted = select(ConsentEvent).join(Supporter).where(Supporter.group_id == campaign.group_id)
    assert _count(granted) == _count(opted_in)
    # A second run adds nobody.
    assert demo.seed_demo_signatures() == 0 and from_campaign(campaign.id) == 0
    assert _count(of_group) == added
