"""The campaign team: invitations by email, accepting them, and leaving or removing members.

An invitation link carries 32 random bytes; only their sha256 is stored. Whoever holds the
link and is logged in with a verified account may accept it, once, within two weeks.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from email_validator import EmailNotValidError
from flask_babel import gettext as _
from sqlalchemy import select

from organizer.accounts.models import User
from organizer.accounts.services import normalize_email
from organizer.campaigns.models import Campaign, Invitation, Membership, Role
from organizer.campaigns.permissions import ROLE_NAMES
from organizer.campaigns.services import CampaignError
from organizer.db import utcnow
from organizer.extensions import db
from organizer.mail.services import queue_email
from organizer.urls import external_url

INVITABLE_ROLES = (Role.ORGANIZER, Role.MODERATOR)
INVITATION_LIFETIME = timedelta(days=14)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(campaign: Campaign, inviter: User, raw_email: str, role: Role) -> Invitation:
    if role not in INVITABLE_ROLES:
        raise CampaignError(_("Invite people as organizers or moderators."))
    try:
        email = normalize_email(raw_email)
    except EmailNotValidError:
        raise CampaignError(_("Enter a valid email address.")) from None
    member = db.session.scalar(
        select(Membership)
        .join(User)
        .where(Membership.campaign_id == campaign.id, User.email == email)
    )
    if member is not None:
        raise CampaignError(_("%(email)s is already on the team.", email=email))
    for earlier in pending_invitations(campaign):
        if earlier.email == email:
            earlier.revoked_at = utcnow()
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        campaign_id=campaign.id,
        email=email,
        role=role,
        token_hash=_hash(token),
        invited_by_id=inviter.id,
        expires_at=utcnow() + INVITATION_LIFETIME,
    )
    db.session.add(invitation)
    db.session.flush()
    invitee = db.session.scalar(select(User).where(User.email == email))
    queue_email(
        to=email,
        template="campaign_invitation",
        locale=invitee.locale if invitee else inviter.locale,
        context={
            "campaign": campaign,
            "inviter": inviter,
            "role_name": ROLE_NAMES[role],
            "accept_url": external_url("campaign_team.accept", token=token),
            "days": INVITATION_LIFETIME.days,
        },
        related=("campaign", campaign.id),
    )
    return invitation


def pending_invitations(campaign: Campaign) -> list[Invitation]:
    invitations = db.session.scalars(
        select(Invitation)
        .where(
            Invitation.campaign_id == campaign.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .order_by(Invitation.created_at)
    )
    return [i for i in invitations if i.is_pending]


def invitation_for_token(token: str) -> Invitation | None:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _hash(token)))
    return invitation if invitation is not None and invitation.is_pending else None


def accept(token: str, user: User) -> Membership:
    invitation = invitation_for_token(token)
    if invitation is None:
        raise CampaignError(_("This invitation is no longer valid. Ask for a new one."))
    if not user.is_verified:
        raise CampaignError(_("Verify your email address before you join a team."))
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    membership = db.session.scalar(
        select(Membership).where(
            Membership.campaign_id == invitation.campaign_id, Membership.user_id == user.id
        )
    )
    if membership is None:
        membership = Membership(
            campaign_id=invitation.campaign_id, user_id=user.id, role=invitation.role
        )
        db.session.add(membership)
    elif membership.role != Role.OWNER:
        membership.role = invitation.role
    db.session.flush()
    return membership


def revoke(campaign: Campaign, invitation_id: int) -> None:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.campaign_id != campaign.id:
        raise CampaignError(_("This invitation does not exist."))
    invitation.revoked_at = utcnow()


def remove_member(campaign: Campaign, membership_id: int) -> None:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.campaign_id != campaign.id:
        raise CampaignError(_("This person is not on the team."))
    if membership.role == Role.OWNER:
        raise CampaignError(_("The owner cannot be removed."))
    db.session.delete(membership)
    db.session.flush()
