"""A published campaign of the group "hosts", and three other groups: alpha and beta become
its partners, gamma stays outside. Each group has an owner; alpha also has a viewer."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from organizer.extensions import db
from organizer.groups.models import Group, GroupMembership, GroupRole
from organizer.mail.models import OutboundEmail
from organizer.partners import services
from organizer.partners.models import Partner
from organizer.signatures import counting
from tests.campaigns.conftest import login, setup
from tests.factories import GroupFactory, UserFactory
from tests.signatures.conftest import ORIGIN, make_campaign

__all__ = ["ORIGIN", "login", "setup"]

SLUG = "clean-air"


@dataclass
class World:
    campaign_id: int
    alpha: int  # partner ids, once invited
    beta: int


def _group(slug, name, owner_email, locale="en"):
    owner = UserFactory(email=owner_email, display_name=name + " owner", locale=locale)
    return GroupFactory(owner=owner, slug=slug, name=name)


@pytest.fixture
def groups(app, db_session):
    """The campaign and the groups, nobody invited yet."""
    with setup(app):
        owner = UserFactory(email="owner@example.org", display_name="Olive Owner")
        campaign = make_campaign(owner, slug=SLUG, title="Clean air now")
        campaign.group.slug, campaign.group.name = "hosts", "Hosts"
        alpha = _group("alpha", "Alpha Collective", "alice@example.org")
        viewer = UserFactory(email="vic@example.org")
        db.session.add(GroupMembership(group_id=alpha.id, user_id=viewer.id, role=GroupRole.VIEWER))
        _group("beta", "Beta Union", "bob@example.org")
        _group("gamma", "Gamma Club", "carol@example.org")
        db.session.flush()
    return SLUG


@pytest.fixture
def coalition(app, groups):
    """alpha and beta accepted; gamma was never invited."""
    with setup(app):
        campaign = campaign_by_slug(SLUG)
        owner = campaign.created_by
        ids = []
        for slug in ("alpha", "beta"):
            partner = services.invite(campaign, slug, owner)
            services.accept(partner, owner_of(slug))
            ids.append(partner.id)
        world = World(campaign.id, *ids)
    return world


def campaign_by_slug(slug):
    from organizer.campaigns.services import get_by_slug

    return get_by_slug(slug)


def group_by_slug(slug):
    return db.session.scalar(select(Group).where(Group.slug == slug))


def owner_of(slug):
    from organizer.accounts.models import User

    return db.session.scalar(
        select(User)
        .join(GroupMembership, GroupMembership.user_id == User.id)
        .join(Group, Group.id == GroupMembership.group_id)
        .where(Group.slug == slug, GroupMembership.role == GroupRole.OWNER)
    )


def partner(partner_id):
    return db.session.get(Partner, partner_id)


def confirm_link(app, to):
    with app.app_context():
        email = db.session.scalars(
            select(OutboundEmail)
            .where(OutboundEmail.to_addr == to, OutboundEmail.kind == "signature_confirm")
            .order_by(OutboundEmail.id.desc())
        ).first()
        return re.search(r"http://\S+(/s/confirm/\S+)", email.text_body).group(1)


def sign_and_confirm(app, client, email, partners=(), source=None, slug=SLUG):
    """The real path: the public form's POST, then the confirmation link's POST."""
    data = {"name": email.split("@")[0].title(), "email": email, "country": "FR",
            "partners": [str(p) for p in partners]}  # fmt: skip
    if source:
        data["source"] = source
    response = client.post(f"/c/{slug}/sign", data=data, headers=ORIGIN)
    assert response.status_code == 200, response.get_data(as_text=True)
    done = client.post(confirm_link(app, email), headers=ORIGIN)
    assert done.status_code == 200
    return done


def fold(app):
    with app.app_context():
        counting.fold()
        db.session.commit()
