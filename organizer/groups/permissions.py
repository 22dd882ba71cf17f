"""Who may do what in a group. Every group view asks here, never checks roles itself.

Supporters' personal data (names, addresses, exports) is for owners and organizers;
viewers see counts only.
"""

from __future__ import annotations

import enum
from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from organizer.extensions import db
from organizer.groups.models import Group, GroupMembership, GroupRole


class GroupPermission(enum.StrEnum):
    VIEW_COUNTS = "view_counts"  # the group dashboard, counts, mailing reports
    VIEW_SUPPORTERS = "view_supporters"  # names, addresses, the supporter page, exports
    MANAGE_SUPPORTERS = "manage_supporters"  # tags, imports, erasing
    SEND_MAILINGS = "send_mailings"
    MANAGE_TEAM = "manage_team"
    EDIT_SETTINGS = "edit_settings"
    # API tokens and webhooks: they read every supporter, so owners only.
    MANAGE_API = "manage_api"


_ORGANIZER = frozenset(GroupPermission) - {
    GroupPermission.MANAGE_TEAM,
    GroupPermission.MANAGE_API,
}

ROLE_PERMISSIONS: dict[GroupRole, frozenset[GroupPermission]] = {
    GroupRole.OWNER: frozenset(GroupPermission),
    GroupRole.ORGANIZER: _ORGANIZER,
    GroupRole.VIEWER: frozenset({GroupPermission.VIEW_COUNTS}),
}

ROLE_NAMES = {
    GroupRole.OWNER: _l("Owner"),
    GroupRole.ORGANIZER: _l("Organizer"),
    GroupRole.VIEWER: _l("Viewer"),
}


def group_role_for(group_id: int, user: Any) -> GroupRole | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(GroupMembership.role).where(
            GroupMembership.group_id == group_id, GroupMembership.user_id == user.id
        )
    )


def can_in_group(user: Any, group: Group, permission: GroupPermission) -> bool:
    role = group_role_for(group.id, user)
    return role is not None and permission in ROLE_PERMISSIONS[role]


def require_group(user: Any, group: Group, permission: GroupPermission) -> GroupRole:
    """Abort unless allowed: outsiders get 404 for the group's organizer pages (the public
    page is another view); members lacking the right get 403 with the reason."""
    role = group_role_for(group.id, user)
    if role is not None and permission in ROLE_PERMISSIONS[role]:
        return role
    if role is None:
        abort(404)
    abort(403, description=_l("Your role in this group does not allow this."))


def group_by_slug_or_404(slug: str) -> Group:
    group = db.session.scalar(select(Group).where(Group.slug == slug))
    if group is None:
        abort(404)
    return group
