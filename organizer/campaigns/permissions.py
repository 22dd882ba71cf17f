"""Who may do what on a campaign. Every campaign view asks here, never checks roles itself."""

from __future__ import annotations

import enum
from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from organizer.campaigns.models import Campaign, Membership, Role
from organizer.extensions import db
from organizer.groups.models import GroupMembership, GroupRole


class Permission(enum.StrEnum):
    VIEW_DRAFT = "view_draft"  # the editor, drafts, revisions, the team list
    EDIT_TEXT = "edit_text"  # sections, demands, import, publishing
    EDIT_SETTINGS = "edit_settings"
    DECIDE_AMENDMENTS = "decide_amendments"
    MANAGE_TEAM = "manage_team"
    MANAGE_EVENTS = "manage_events"
    MANAGE_LETTERS = "manage_letters"
    MODERATE_SIGNATURES = "moderate_signatures"


_ORGANIZER = {
    Permission.VIEW_DRAFT,
    Permission.EDIT_TEXT,
    Permission.EDIT_SETTINGS,
    Permission.DECIDE_AMENDMENTS,
    Permission.MANAGE_EVENTS,
    Permission.MANAGE_LETTERS,
}
_MODERATOR = {Permission.VIEW_DRAFT, Permission.MODERATE_SIGNATURES, Permission.MANAGE_EVENTS}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.ORGANIZER: frozenset(_ORGANIZER),
    Role.MODERATOR: frozenset(_MODERATOR),
    Role.HOST: frozenset(),
}

ROLE_NAMES = {
    Role.OWNER: _l("Owner"),
    Role.ORGANIZER: _l("Organizer"),
    Role.MODERATOR: _l("Moderator"),
    Role.HOST: _l("Host"),
}


def role_for(campaign: Campaign, user: Any) -> Role | None:
    """The user's role on the campaign; None for anonymous visitors and outsiders.

    An owner of the campaign's group owns each of its campaigns; the group's organizers and
    viewers get no campaign role from the group (they join a campaign's team to work on it).
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    role = db.session.scalar(
        select(Membership.role).where(
            Membership.campaign_id == campaign.id, Membership.user_id == user.id
        )
    )
    if role != Role.OWNER and owns_group_of(campaign, user.id):
        return Role.OWNER
    return role


def owns_group_of(campaign: Campaign, user_id: int) -> bool:
    found = db.session.scalar(
        select(GroupMembership.id).where(
            GroupMembership.group_id == campaign.group_id,
            GroupMembership.user_id == user_id,
            GroupMembership.role == GroupRole.OWNER,
        )
    )
    return found is not None


def can(user: Any, campaign: Campaign, permission: Permission) -> bool:
    role = role_for(campaign, user)
    return role is not None and permission in ROLE_PERMISSIONS[role]


def require(user: Any, campaign: Campaign, permission: Permission) -> Role:
    """Abort unless allowed: outsiders learn nothing of a campaign that is not public (404);
    on a public one, or for a team member lacking the right, the answer is 403."""
    role = role_for(campaign, user)
    if role is not None and permission in ROLE_PERMISSIONS[role]:
        return role
    if role is None and not campaign.is_public:
        abort(404)
    abort(403, description=_l("Your role on this campaign does not allow this."))
