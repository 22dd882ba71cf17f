"""The campaign team: invitations by email, accepting them, roles, removals, ownership.

An invitation link carries 32 random bytes; only their sha256 is stored. It belongs to the
address it was sent to: only someone logged in with that address, verified, may accept it,
once, within two weeks. Whoever holds the link may learn which address that is.

A campaign always keeps an owner: every change that could leave it without one locks the
campaign row first, so that two owners demoting each other at once cannot both succeed.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from email_validator import EmailNotValidError
from flask_babel import gettext as _
from sqlalchemy import func, select

from organizer.accounts.models import User
from organizer.accounts.services import normalize_email
from organizer.audit.services import record
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
    _audit(inviter, "team.invited", campaign, invitation=invitation.id, role=role.value)
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


def is_for(invitation: Invitation, user: User) -> bool:
    """Whether the invitation was sent to this account's address, compared as accounts
    find users: both sides normalized."""
    try:
        return normalize_email(user.email) == invitation.email
    except EmailNotValidError:
        return False


def accept(token: str, user: User) -> Membership:
    invitation = invitation_for_token(token)
    if invitation is None:
        raise CampaignError(_("This invitation is no longer valid. Ask for a new one."))
    if not is_for(invitation, user):
        raise CampaignError(
            _("This invitation is for %(email)s. Nothing has changed.", email=invitation.email)
        )
    if not user.is_verified:
        raise CampaignError(_("Verify your email address before you join a team."))
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    membership = _membership_of(invitation.campaign_id, user.id)
    if membership is None:
        membership = Membership(
            campaign_id=invitation.campaign_id, user_id=user.id, role=invitation.role
        )
        db.session.add(membership)
    elif membership.role != Role.OWNER:
        membership.role = invitation.role
    db.session.flush()
    _audit(user, "team.invitation_accepted", invitation.campaign, invitation=invitation.id,
           role=membership.role.value)  # fmt: skip
    return membership


def revoke(campaign: Campaign, actor: User, invitation_id: int) -> None:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.campaign_id != campaign.id:
        raise CampaignError(_("This invitation does not exist."))
    invitation.revoked_at = utcnow()
    _audit(actor, "team.invitation_revoked", campaign, invitation=invitation.id)


def member(campaign: Campaign, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.campaign_id != campaign.id:
        raise CampaignError(_("This person is not on the team."))
    return membership


def change_role(campaign: Campaign, actor: User, membership_id: int, role: Role) -> Membership:
    _lock(campaign)
    membership = member(campaign, membership_id)
    before = membership.role
    if before == role:
        return membership
    if before == Role.OWNER:
        _keep_an_owner(campaign, _("The campaign's last owner cannot change role. Make "
                                  "someone else owner first."))  # fmt: skip
    membership.role = role
    db.session.flush()
    _audit(actor, "team.role_changed", campaign, user=membership.user_id, before=before.value,
           after=role.value)  # fmt: skip
    return membership


def remove_member(campaign: Campaign, actor: User, membership_id: int) -> None:
    _lock(campaign)
    membership = member(campaign, membership_id)
    if membership.role == Role.OWNER:
        _keep_an_owner(campaign, _("The campaign's last owner cannot be removed. Make someone "
                                  "else owner first."))  # fmt: skip
    _audit(actor, "team.member_removed", campaign, user=membership.user_id,
           role=membership.role.value)  # fmt: skip
    db.session.delete(membership)
    db.session.flush()


def transfer_ownership(
    campaign: Campaign, actor: User, membership_id: int, step_down: bool
) -> Membership:
    """Make another member owner; the actor may step down to organizer in the same move."""
    _lock(campaign)
    target = member(campaign, membership_id)
    if target.user_id == actor.id:
        raise CampaignError(_("Choose another member of the team."))
    mine = _membership_of(campaign.id, actor.id)
    if mine is None or mine.role != Role.OWNER:
        raise CampaignError(_("Only an owner can hand over ownership."))
    before = target.role
    target.role = Role.OWNER
    if step_down:
        mine.role = Role.ORGANIZER
    db.session.flush()
    _audit(actor, "team.ownership_transferred", campaign, user=target.user_id,
           before=before.value, stepped_down=step_down)  # fmt: skip
    return target


def _membership_of(campaign_id: int, user_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(
            Membership.campaign_id == campaign_id, Membership.user_id == user_id
        )
    )


def _lock(campaign: Campaign) -> None:
    db.session.execute(select(Campaign.id).where(Campaign.id == campaign.id).with_for_update())


def _keep_an_owner(campaign: Campaign, message: str) -> None:
    owners = db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.campaign_id == campaign.id, Membership.role == Role.OWNER)
    )
    if (owners or 0) <= 1:
        raise CampaignError(message)


def _audit(actor: User, action: str, campaign: Campaign, **details: object) -> None:
    record(actor, action, "campaign", campaign.id, details)
