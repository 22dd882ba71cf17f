from __future__ import annotations

import re

from sqlalchemy import select

from organizer.campaigns import services, team
from organizer.campaigns.models import Invitation, Membership, Role
from organizer.extensions import db
from organizer.mail.models import OutboundEmail
from tests.factories import UserFactory
from tests.support.web import submit

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
    try:
        team.remove_member(campaign, campaign.memberships[0].id)
    except services.CampaignError:
        pass
    else:
        raise AssertionError("the owner cannot be removed")
