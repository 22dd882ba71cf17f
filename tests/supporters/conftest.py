"""A group with one member of each role, an outsider, and a few supporters."""

from __future__ import annotations

import pytest

from organizer.extensions import db
from organizer.groups.models import GroupMembership, GroupRole
from organizer.supporters.models import SupporterStatus
from tests.campaigns.conftest import login, setup
from tests.factories import GroupFactory, SupporterFactory, UserFactory

__all__ = ["login", "setup"]

SLUG = "riders"


@pytest.fixture
def team(app, db_session):
    with setup(app):
        owner = UserFactory(email="owner@example.org")
        group = GroupFactory(owner=owner, slug=SLUG, name="Riders' Union")
        for email, role in (("organizer@example.org", GroupRole.ORGANIZER),
                            ("viewer@example.org", GroupRole.VIEWER)):  # fmt: skip
            db.session.add(GroupMembership(group_id=group.id, user_id=UserFactory(email=email).id,
                                           role=role))  # fmt: skip
        UserFactory(email="outsider@example.org")
        SupporterFactory(group=group, name="Ada Lovelace", email="ada@example.org", country="GB",
                         language="en")  # fmt: skip
        SupporterFactory(group=group, name="Bruno Latour", email="bruno@example.org")
        SupporterFactory(group=group, name="Chloé Quit", email="chloe@example.org",
                         status=SupporterStatus.UNSUBSCRIBED)  # fmt: skip
        db.session.flush()
    return SLUG
