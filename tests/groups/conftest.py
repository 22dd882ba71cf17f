"""Group fixtures: a group with one member of each role and one campaign."""

from __future__ import annotations

import pytest

from organizer.extensions import db
from organizer.groups.models import GroupMembership, GroupRole
from tests.campaigns.conftest import build_campaign, login, setup
from tests.factories import GroupFactory, UserFactory

__all__ = ["login", "setup"]

SLUG = "riders"


def add(group, user, role):
    db.session.add(GroupMembership(group_id=group.id, user_id=user.id, role=role))
    db.session.flush()


@pytest.fixture
def team(app, db_session):
    with setup(app):
        owner = UserFactory(email="owner@example.org", display_name="Olive Owner")
        group = GroupFactory(owner=owner, slug=SLUG, name="Riders' Union")
        add(group, UserFactory(email="organizer@example.org", display_name="Oscar"),
            GroupRole.ORGANIZER)  # fmt: skip
        add(group, UserFactory(email="viewer@example.org", display_name="Vera"), GroupRole.VIEWER)
        UserFactory(email="outsider@example.org", display_name="Otto")
        campaign = build_campaign(owner, title="Fair pay for riders", slug="fair-pay")
        campaign.group_id = group.id
        db.session.flush()
    return SLUG
