"""Tell a group's owners that a campaign invites their group into its coalition: one email
each, in their own language, through the outbox."""

from __future__ import annotations

from sqlalchemy import select

from organizer.accounts.models import User
from organizer.campaigns.models import Campaign
from organizer.extensions import db
from organizer.groups.models import Group, GroupMembership, GroupRole
from organizer.mail.services import queue_email
from organizer.partners.models import Partner
from organizer.urls import external_url

TEMPLATE = "partner_invitation"


def owners_of(group_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(GroupMembership, GroupMembership.user_id == User.id)
            .where(GroupMembership.group_id == group_id, GroupMembership.role == GroupRole.OWNER)
            .order_by(User.id)
        )
    )


def invited(partner: Partner, inviter: User) -> int:
    campaign = db.session.get(Campaign, partner.campaign_id)
    group = db.session.get(Group, partner.group_id)
    assert campaign is not None and group is not None
    # The invitation's time is in the key: an invitation renewed later is a new email.
    key = f"partner:{partner.id}:invited:{partner.invited_at.isoformat()}"
    told = 0
    for owner in owners_of(group.id):
        queue_email(
            to=owner.email,
            template=TEMPLATE,
            locale=owner.locale,
            context={
                "campaign": campaign,
                "group": group,
                "inviter": inviter,
                "dashboard_url": external_url("groups.dashboard", slug=group.slug),
            },
            related=("campaign", campaign.id),
            idempotency_key=f"{key}:user:{owner.id}",
        )
        told += 1
    return told
