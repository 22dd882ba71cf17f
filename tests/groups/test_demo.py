"""seed-demo makes the demo group, with its postal address, owning the demo campaign."""

from __future__ import annotations

from sqlalchemy import func, select

from organizer import demo
from organizer.extensions import db
from organizer.groups.models import Group, GroupMembership, GroupRole
from organizer.groups.permissions import group_role_for


def test_the_demo_group_owns_the_demo_campaign_and_the_organizer_owns_it(ctx):
    organizer = demo.seed_demo_organizer().user
    campaign = demo.seed_demo_campaign(organizer)
    group = campaign.group
    assert (group.slug, group.name) == (demo.DEMO_GROUP_SLUG, "Facebook Users' Union")
    assert "Paris" in group.postal_address
    assert group_role_for(group.id, organizer) == GroupRole.OWNER


def test_seeding_the_group_twice_changes_nothing(ctx):
    organizer = demo.seed_demo_organizer().user
    first = demo.seed_demo_group(organizer)
    assert demo.seed_demo_group(organizer) is first
    assert db.session.scalar(select(func.count(Group.id)).where(Group.slug == first.slug)) == 1
    assert (
        db.session.scalar(
            select(func.count(GroupMembership.id)).where(GroupMembership.group_id == first.id)
        )
        == 1
    )
