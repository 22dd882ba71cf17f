from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from organizer.audit.models import AuditLog
from organizer.campaigns import services, team
from organizer.campaigns.models import Invitation, Membership, Role
from organizer.extensions import db
from organizer.mail.models import OutboundEmail
from tests.factories import GroupFactory, UserFactory
from tests.support.web import csrf_token, submit

from .conftest import build_campaign, login, setup


def invitation_link(app, to):
    with app.app_context():
        email = db.session.scalar(
            select(OutboundEmail)
            .where(OutboundEmail.to_addr == to)
            .order_by(OutboundEmail.id.desc())
        )
        assert email.kind == "campaign_invitation"
        assert email.related_type == "campaign"
        return re.search(r"https?://\S+/invitations/\S+", email.text_body).group(0)


def test_the_owner_invites_and_the_invitee_joins_through_the_link(app, client):
    with setup(app):
        owner = UserFactory(display_name="Olive")
        build_campaign(owner, slug="team-campaign")
        UserFactory(email="nadia@example.org")
        owner_email = owner.email
    login(client, owner_email)
    response = submit(
        client, "/organize/team-campaign/team", {"email": "Nadia@Example.org", "role": "moderator"}
    )
    assert response.status_code == 302
    link = invitation_link(app, "nadia@example.org")
    path = link.split("://", 1)[1].split("/", 1)[1]

    other = app.test_client()
    login(other, "nadia@example.org")
    page = other.get(f"/{path}")
    assert "Olive invites you to be moderator" in page.get_data(as_text=True)
    assert submit(other, f"/{path}", {}).status_code == 302
    assert other.get("/organize/team-campaign").status_code == 200
    assert other.get("/organize/team-campaign/settings").status_code == 403
    # Single use.
    assert other.get(f"/{path}").status_code == 404
    with app.app_context():
        campaign = services.get_by_slug("team-campaign")
        roles = {m.user.email: m.role for m in services.team(campaign)}
        assert roles["nadia@example.org"] == Role.MODERATOR


def test_invitation_rules(ctx):
    owner = UserFactory()
    campaign = build_campaign(owner, slug="rules-campaign")
    member = UserFactory()
    db.session.add(Membership(campaign_id=campaign.id, user_id=member.id, role=Role.ORGANIZER))
    db.session.flush()
    for email, role in (
        (member.email, Role.ORGANIZER),
        ("x@example.org", Role.OWNER),
        ("not an email", Role.ORGANIZER),
    ):
        try:
            team.invite(campaign, owner, email, role)
        except services.CampaignError:
            pass
        else:
            raise AssertionError(f"{email} {role} should be refused")
    first = team.invite(campaign, owner, "new@example.org", Role.ORGANIZER)
    second = team.invite(campaign, owner, "new@example.org", Role.MODERATOR)
    assert first.revoked_at is not None and second.is_pending
    assert [i.id for i in team.pending_invitations(campaign)] == [second.id]
    assert db.session.scalar(select(Invitation.token_hash).where(Invitation.id == second.id))
    with pytest.raises(services.CampaignError, match="last owner"):
        team.remove_member(campaign, owner, campaign.memberships[0].id)


def _path(link):
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def _invite(app, client, slug, email, role="organizer"):
    response = submit(client, f"/organize/{slug}/team", {"email": email, "role": role})
    assert response.status_code == 302
    return _path(invitation_link(app, email.lower()))


def _roles(app, slug):
    with app.app_context():
        campaign = services.get_by_slug(slug)
        return {m.user.email: m.role for m in services.team(campaign)}


def test_an_invitation_opened_by_another_account_changes_nothing(app, client):
    with setup(app):
        owner = UserFactory(display_name="Olive")
        build_campaign(owner, slug="bound-campaign")
        UserFactory(email="bob@example.org")
        UserFactory(email="carol@example.org")
        owner_email = owner.email
    login(client, owner_email)
    path = _invite(app, client, "bound-campaign", "Bob@Example.org")

    carol = login(app.test_client(), "carol@example.org")
    page = carol.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "This invitation is for bob@example.org" in html
    assert "You are logged in as carol@example.org" in html
    assert "Log out, then log in as bob@example.org" in html
    assert 'value="/account/login?next=' in html
    # Even a hand-made POST (the page offers no button) joins nobody.
    refused = carol.post(path, data={"csrf_token": csrf_token(html)})
    assert refused.status_code == 403
    assert "This invitation is for bob@example.org. Nothing has changed." in refused.get_data(
        as_text=True
    )
    assert "carol@example.org" not in _roles(app, "bound-campaign")
    with app.app_context():
        assert db.session.scalar(select(Invitation.accepted_at)) is None

    bob = login(app.test_client(), "bob@example.org")
    assert submit(bob, path, {}).status_code == 302
    assert _roles(app, "bound-campaign")["bob@example.org"] == Role.ORGANIZER


def test_an_anonymous_visitor_is_told_the_address_and_offered_login_or_registration(app, client):
    with setup(app):
        owner = UserFactory()
        build_campaign(owner, slug="anon-campaign")
        owner_email = owner.email
    login(client, owner_email)
    path = _invite(app, client, "anon-campaign", "new@example.org")
    visitor = app.test_client()
    page = visitor.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "This invitation is for new@example.org" in html
    assert "csrf_token" not in html  # nothing to submit, and no session for a reader
    assert "Set-Cookie" not in page.headers
    assert "/account/register?next=/invitations/" in html
    assert "/account/login?next=/invitations/" in html


def test_a_new_invitee_registers_verifies_and_comes_back_to_the_invitation(app, client):
    with setup(app):
        owner = UserFactory()
        build_campaign(owner, slug="newcomer-campaign")
        owner_email = owner.email
    login(client, owner_email)
    path = _invite(app, client, "newcomer-campaign", "dana@example.org")

    dana = app.test_client()
    register_url = (
        re.search(r'href="(/account/register\?[^"]+)"', dana.get(path).get_data(as_text=True))
        .group(1)
        .replace("&amp;", "&")
    )
    form = dana.get(register_url).get_data(as_text=True)
    assert 'value="dana@example.org"' in form  # the address comes filled in
    response = dana.post(register_url, data={
        "display_name": "Dana", "email": "dana@example.org",
        "password": "tulips in the rain", "csrf_token": csrf_token(form),
    })  # fmt: skip
    assert "Check your email" in response.get_data(as_text=True)
    with app.app_context():
        email = db.session.scalar(
            select(OutboundEmail).where(
                OutboundEmail.to_addr == "dana@example.org", OutboundEmail.kind == "verify_email"
            )
        )
        verify = _path(re.search(r"https?://\S+/account/verify/\S+", email.text_body).group(0))
    assert "next=/invitations/" in verify
    verified = submit(dana, verify, {})
    assert verified.status_code == 302
    login_url = verified.headers["Location"]
    assert login_url.startswith("/account/login?next=/invitations/")
    logged_in = submit(
        dana, login_url, {"email": "dana@example.org", "password": "tulips in the rain"}
    )
    assert logged_in.headers["Location"] == path
    assert "Join the team" in dana.get(path).get_data(as_text=True)
    assert submit(dana, path, {}).status_code == 302
    assert _roles(app, "newcomer-campaign")["dana@example.org"] == Role.ORGANIZER


@pytest.mark.parametrize(
    "evil", ["https://evil.example/x", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_next_never_leaves_the_site_through_registration(app, client, evil):
    form = client.get("/account/register", query_string={"next": evil}).get_data(as_text=True)
    client.post(
        "/account/register",
        query_string={"next": evil},
        data={"display_name": "Eve", "email": "eve@example.org",
              "password": "tulips in the rain", "csrf_token": csrf_token(form)},
    )  # fmt: skip
    with app.app_context():
        email = db.session.scalar(
            select(OutboundEmail).where(OutboundEmail.to_addr == "eve@example.org")
        )
        assert "next=" not in email.text_body


def test_owners_change_roles_but_never_leave_a_campaign_without_one(ctx):
    owner = UserFactory()
    campaign = build_campaign(owner, slug="roles-campaign")
    nadia = UserFactory()
    db.session.add(Membership(campaign_id=campaign.id, user_id=nadia.id, role=Role.MODERATOR))
    db.session.flush()
    mine, hers = sorted(campaign.memberships, key=lambda m: m.role != Role.OWNER)
    with pytest.raises(services.CampaignError, match="last owner"):
        team.change_role(campaign, owner, mine.id, Role.ORGANIZER)
    for role in (Role.HOST, Role.ORGANIZER, Role.OWNER):
        assert team.change_role(campaign, owner, hers.id, role).role == role
    # Two owners now: either may step down, but not both.
    assert team.change_role(campaign, owner, mine.id, Role.ORGANIZER).role == Role.ORGANIZER
    with pytest.raises(services.CampaignError, match="last owner"):
        team.change_role(campaign, nadia, hers.id, Role.MODERATOR)
    with pytest.raises(services.CampaignError, match="last owner"):
        team.remove_member(campaign, nadia, hers.id)
    actions = db.session.execute(
        select(AuditLog.action, AuditLog.details)
        .where(AuditLog.object_type == "campaign", AuditLog.object_id == campaign.id)
        .where(AuditLog.action == "team.role_changed")
        .order_by(AuditLog.id)
    ).all()
    assert [d["after"] for _a, d in actions] == ["host", "organizer", "owner", "organizer"]
    assert actions[-1][1] == {"user": owner.id, "before": "owner", "after": "organizer"}


def test_ownership_is_handed_over_with_or_without_stepping_down(ctx):
    owner = UserFactory()
    campaign = build_campaign(owner, slug="handover-campaign")
    heir, other = UserFactory(), UserFactory()
    for user in (heir, other):
        db.session.add(Membership(campaign_id=campaign.id, user_id=user.id, role=Role.ORGANIZER))
    db.session.flush()
    by_user = {m.user_id: m for m in campaign.memberships}
    with pytest.raises(services.CampaignError):
        team.transfer_ownership(campaign, owner, by_user[owner.id].id, step_down=True)
    with pytest.raises(services.CampaignError, match="Only an owner"):
        team.transfer_ownership(campaign, other, by_user[heir.id].id, step_down=False)
    team.transfer_ownership(campaign, owner, by_user[heir.id].id, step_down=True)
    db.session.refresh(by_user[owner.id])
    assert (by_user[heir.id].role, by_user[owner.id].role) == (Role.OWNER, Role.ORGANIZER)
    entry = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "team.ownership_transferred")
    ).one()
    assert entry.actor_id == owner.id
    assert entry.details == {"user": heir.id, "before": "organizer", "stepped_down": True}


def test_removing_a_member_asks_first_and_is_audited(app, client):
    with setup(app):
        owner = UserFactory()
        campaign = build_campaign(owner, slug="remove-campaign")
        nadia = UserFactory(display_name="Nadia", email="nadia@example.org")
        db.session.add(Membership(campaign_id=campaign.id, user_id=nadia.id, role=Role.MODERATOR))
        db.session.flush()
        membership_id = db.session.scalar(
            select(Membership.id).where(Membership.user_id == nadia.id)
        )
        owner_email, nadia_id = owner.email, nadia.id
    login(client, owner_email)
    team_page = client.get("/organize/remove-campaign/team").get_data(as_text=True)
    confirm_url = f"/organize/remove-campaign/team/{membership_id}/remove"
    assert f'href="{confirm_url}"' in team_page
    page = client.get(confirm_url)
    assert "Remove Nadia from the team?" in page.get_data(as_text=True)
    assert "nadia@example.org" in _roles(app, "remove-campaign")  # asking changed nothing
    response = submit(client, confirm_url, {})
    assert response.headers["Location"] == "/organize/remove-campaign/team"
    assert "nadia@example.org" not in _roles(app, "remove-campaign")
    with app.app_context():
        entry = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "team.member_removed")
        ).one()
        assert entry.details == {"user": nadia_id, "role": "moderator"}


def test_owners_change_roles_and_hand_over_from_the_team_page(app, client):
    with setup(app):
        owner = UserFactory(email="olive@example.org")
        campaign = build_campaign(owner, slug="page-campaign")
        nadia = UserFactory(display_name="Nadia", email="nadia@example.org")
        db.session.add(Membership(campaign_id=campaign.id, user_id=nadia.id, role=Role.MODERATOR))
        db.session.flush()
        ids = {m.user.email: m.id for m in campaign.memberships}
    login(client, "olive@example.org")
    page = client.get("/organize/page-campaign/team").get_data(as_text=True)
    token = csrf_token(page)
    response = client.post(
        f"/organize/page-campaign/team/{ids['nadia@example.org']}/role",
        data={"role": "organizer", "csrf_token": token},
    )
    assert response.status_code == 302
    assert _roles(app, "page-campaign")["nadia@example.org"] == Role.ORGANIZER
    refused = client.post(
        f"/organize/page-campaign/team/{ids['olive@example.org']}/role",
        data={"role": "moderator", "csrf_token": token},
        follow_redirects=True,
    )
    assert "last owner cannot change role" in refused.get_data(as_text=True)
    assert _roles(app, "page-campaign")["olive@example.org"] == Role.OWNER

    response = submit(
        client,
        "/organize/page-campaign/team/transfer",
        {"member": ids["nadia@example.org"], "step_down": "y"},
    )
    assert response.status_code == 302
    assert _roles(app, "page-campaign") == {
        "nadia@example.org": Role.OWNER,
        "olive@example.org": Role.ORGANIZER,
    }
    # Olive is an organizer of the campaign now, but she still owns its group, and a group
    # owner owns each of the group's campaigns: she still manages the team.
    assert client.get("/organize/page-campaign/team/transfer").status_code == 200
    with setup(app):
        campaign = services.get_by_slug("page-campaign")
        campaign.group_id = GroupFactory().id
    # Once the campaign belongs to a group she does not own, she no longer manages it.
    assert client.get("/organize/page-campaign/team/transfer").status_code == 403


def test_an_organizer_cannot_change_roles(app, client):
    with setup(app):
        owner = UserFactory()
        campaign = build_campaign(owner, slug="organizer-campaign")
        organizer = UserFactory(email="org@example.org")
        db.session.add(
            Membership(campaign_id=campaign.id, user_id=organizer.id, role=Role.ORGANIZER)
        )
        db.session.flush()
        owner_id = campaign.memberships[0].id
    login(client, "org@example.org")
    page = client.get("/organize/organizer-campaign/team").get_data(as_text=True)
    assert "Change the role" not in page
    response = client.post(
        f"/organize/organizer-campaign/team/{owner_id}/role",
        data={"role": "host", "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 403
    assert client.get(f"/organize/organizer-campaign/team/{owner_id}/remove").status_code == 403
