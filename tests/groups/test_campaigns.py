"""Groups and their campaigns: a group owner owns each campaign, campaigns start in a group
or in a new one, and an owner moves a campaign to another group of theirs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from organizer.audit.models import AuditLog
from organizer.audit.sentences import describe
from organizer.campaigns import services
from organizer.campaigns.models import Campaign, Role
from organizer.campaigns.permissions import role_for
from organizer.extensions import db
from organizer.groups.models import Group, GroupMembership, GroupRole
from tests.campaigns.conftest import build_campaign
from tests.factories import GroupFactory, UserFactory
from tests.support.web import csrf_token

from .conftest import SLUG, add, login, setup


def details(title="Night shifts", slug=""):
    return services.CampaignDetails(title=title, summary="Pay us.", language="en", slug=slug)


def test_a_group_owner_owns_each_campaign_and_other_members_get_no_role(ctx):
    owner, organizer, viewer = UserFactory(), UserFactory(), UserFactory()
    group = GroupFactory(owner=owner)
    add(group, organizer, GroupRole.ORGANIZER)
    add(group, viewer, GroupRole.VIEWER)
    campaign = services.create_campaign(organizer, details(), group)
    assert role_for(campaign, owner) == Role.OWNER
    assert role_for(campaign, organizer) == Role.OWNER  # as the campaign's creator
    assert role_for(campaign, viewer) is None
    other = build_campaign(UserFactory(), title="Elsewhere")
    assert role_for(other, owner) is None


def test_a_campaign_member_keeps_their_role_unless_they_own_the_group(ctx):
    owner = UserFactory()
    group = GroupFactory(owner=owner)
    moderator = UserFactory()
    campaign = services.create_campaign(owner, details(), group)
    from organizer.campaigns.models import Membership

    db.session.add(Membership(campaign_id=campaign.id, user_id=moderator.id, role=Role.MODERATOR))
    db.session.flush()
    assert role_for(campaign, moderator) == Role.MODERATOR
    add(group, moderator, GroupRole.OWNER)
    assert role_for(campaign, moderator) == Role.OWNER


def test_without_a_group_a_campaign_gets_a_new_one_named_after_it(ctx):
    owner = UserFactory()
    campaign = services.create_campaign(owner, details("Night shifts"))
    assert (campaign.group.name, campaign.group.slug) == ("Night shifts", campaign.slug)
    roles = db.session.execute(
        select(GroupMembership.user_id, GroupMembership.role).where(
            GroupMembership.group_id == campaign.group_id
        )
    ).all()
    assert [tuple(r) for r in roles] == [(owner.id, GroupRole.OWNER)]


def test_a_viewer_cannot_start_a_campaign_in_the_group(ctx):
    group = GroupFactory()
    viewer = UserFactory()
    add(group, viewer, GroupRole.VIEWER)
    with pytest.raises(services.CampaignError):
        services.create_campaign(viewer, details(), group)
    with pytest.raises(services.CampaignError):
        services.create_campaign(UserFactory(), details(), group)


def test_the_new_campaign_form_offers_the_users_groups_and_defaults_to_a_new_one(app, client, team):
    login(client, "organizer@example.org")
    page = client.get(f"/organize/new?group={SLUG}").get_data(as_text=True)
    assert f'<option selected value="{SLUG}">' in page
    plain = client.get("/organize/new").get_data(as_text=True)
    assert '<option selected value="">A new group named after the campaign</option>' in plain
    response = client.post("/organize/new", data={
        "csrf_token": csrf_token(page), "group": SLUG, "title": "Helmets for all",
        "summary": "Safety first.", "language": "en",
    })  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.title == "Helmets for all"))
        assert campaign.group.slug == SLUG


def test_a_viewer_is_not_offered_the_group_and_cannot_post_it(app, client, team):
    login(client, "viewer@example.org")
    page = client.get("/organize/new").get_data(as_text=True)
    assert f'value="{SLUG}"' not in page
    response = client.post("/organize/new", data={
        "csrf_token": csrf_token(page), "group": SLUG, "title": "Sneaky",
        "summary": "In.", "language": "en",
    })  # fmt: skip
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Campaign).where(Campaign.title == "Sneaky")) is None


def test_your_campaigns_lists_those_of_the_groups_you_own(app, client, team):
    login(client, "owner@example.org")
    html = client.get("/organize").get_data(as_text=True)
    assert 'href="/organize/fair-pay"' in html
    overview = client.get("/organize/fair-pay").get_data(as_text=True)
    assert f'href="/organize/groups/{SLUG}"' in overview  # the campaign links its group


def _move_page(client, slug="fair-pay"):
    return client.get(f"/organize/{slug}/settings").get_data(as_text=True)


def test_an_owner_moves_a_campaign_to_another_group_they_own(app, client, team):
    with setup(app):
        owner = db.session.scalar(
            select(GroupMembership.user_id).where(GroupMembership.group.has(Group.slug == SLUG))
        )
        from organizer.accounts.models import User

        GroupFactory(owner=db.session.get(User, owner), slug="couriers", name="Couriers")
        GroupFactory(slug="strangers", name="Strangers")
    login(client, "owner@example.org")
    page = _move_page(client)
    assert "does not carry its supporters" in page
    assert 'value="couriers"' in page and 'value="strangers"' not in page
    token = csrf_token(page)
    refused = client.post("/organize/fair-pay/group", data={"group": "strangers",
                                                            "csrf_token": token})  # fmt: skip
    assert refused.status_code == 302
    moved = client.post("/organize/fair-pay/group", data={"group": "couriers", "csrf_token": token},
                        follow_redirects=True)  # fmt: skip
    html = moved.get_data(as_text=True)
    assert "The campaign now belongs to Couriers." in html
    assert "consents stayed with the previous group" in html
    with app.app_context():
        campaign = services.get_by_slug("fair-pay")
        assert campaign.group.slug == "couriers"
        entry = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "campaign.group_changed")
        ).one()
        assert describe(entry) == "Olive Owner moved the campaign to the group “Couriers”."


def test_moving_needs_ownership_of_both_sides(ctx):
    owner, other = UserFactory(), UserFactory()
    campaign = services.create_campaign(owner, details())
    theirs = GroupFactory(owner=other)
    with pytest.raises(services.CampaignError):
        services.move_to_group(campaign, owner, theirs)
    assert campaign.group_id != theirs.id


def test_organizers_see_no_move_form(app, client, team):
    with setup(app):
        from organizer.accounts.models import User
        from organizer.campaigns.models import Membership

        oscar = db.session.scalar(select(User).where(User.email == "organizer@example.org"))
        campaign = services.get_by_slug("fair-pay")
        db.session.add(Membership(campaign_id=campaign.id, user_id=oscar.id, role=Role.ORGANIZER))
        GroupFactory(owner=oscar, slug="oscars", name="Oscar's")
    login(client, "organizer@example.org")
    page = _move_page(client)
    assert 'value="oscars"' not in page
    token = csrf_token(page)
    response = client.post(
        "/organize/fair-pay/group", data={"group": "oscars", "csrf_token": token}
    )
    assert response.status_code == 403
