"""Creating groups and reading their teams. Never imports organizer.campaigns.services,
which calls in here when a campaign is made."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from organizer.accounts.models import User
from organizer.audit.services import record
from organizer.extensions import db
from organizer.groups.models import Group, GroupMembership, GroupRole
from organizer.urls import slugify


def free_group_slug(wanted: str) -> str:
    base = slugify(wanted) or "group"
    taken = set(db.session.scalars(select(Group.slug).where(Group.slug.startswith(base))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def create_group(owner: User, name: str, slug: str = "") -> Group:
    group = Group(name=name.strip() or slug, slug=free_group_slug(slug or name))
    db.session.add(group)
    db.session.flush()
    db.session.add(GroupMembership(group_id=group.id, user_id=owner.id, role=GroupRole.OWNER))
    db.session.flush()
    return group


def one_campaign_group(owner: User, campaign_title: str, campaign_slug: str) -> Group:
    """The group a campaign gets when its owner names none: called after the campaign."""
    return create_group(owner, campaign_title or campaign_slug, campaign_slug)


class GroupError(ValueError):
    """A request the rules refuse; the message is for the person (already translated)."""


ROLE_ORDER = (GroupRole.OWNER, GroupRole.ORGANIZER, GroupRole.VIEWER)
# Roles that may start a campaign in the group (viewers only look).
CAMPAIGN_MAKERS = (GroupRole.OWNER, GroupRole.ORGANIZER)


def groups_of(user: User, roles: tuple[GroupRole, ...] = ROLE_ORDER) -> list[GroupMembership]:
    return list(
        db.session.scalars(
            select(GroupMembership)
            .join(Group)
            .where(GroupMembership.user_id == user.id, GroupMembership.role.in_(roles))
            .order_by(func.lower(Group.name), Group.id)
        )
    )


def is_in_a_group(user_id: int) -> bool:
    found = db.session.scalar(
        select(GroupMembership.id).where(GroupMembership.user_id == user_id).limit(1)
    )
    return found is not None


def new_group(owner: User, name: str, description: str = "") -> Group:
    if not owner.is_verified:
        raise GroupError(_("Verify your email address before you create a group."))
    group = create_group(owner, name)
    group.description = description.strip()
    record(owner, "group.created", "group", group.id, {"name": group.name})
    return group


def update_settings(
    group: Group, actor: User, *, name: str, description: str, postal_address: str
) -> None:
    group.name = name.strip()
    group.description = description.strip()
    # One line per line of the address, without the blank lines a paste brings along.
    group.postal_address = "\n".join(
        line.strip() for line in postal_address.splitlines() if line.strip()
    )
    db.session.flush()
    record(actor, "group.settings_saved", "group", group.id, {"name": group.name})


def team(group: Group) -> list[GroupMembership]:
    members = list(
        db.session.scalars(select(GroupMembership).where(GroupMembership.group_id == group.id))
    )
    return sorted(
        members, key=lambda m: (ROLE_ORDER.index(m.role), m.user.display_name.lower(), m.id)
    )


def add_member(group: Group, actor: User, email: str, role: GroupRole) -> GroupMembership:
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.is_verified:
        raise GroupError(
            _("No Cahier account with a verified address uses %(email)s. Ask them to create "
              "one and verify it, then add them.", email=email.strip())
        )  # fmt: skip
    if _membership_of(group.id, user.id) is not None:
        raise GroupError(_("%(name)s is already on the team.", name=user.display_name))
    membership = GroupMembership(group_id=group.id, user_id=user.id, role=role)
    db.session.add(membership)
    db.session.flush()
    record(actor, "group.member_added", "group", group.id, {"user": user.id, "role": role.value})
    return membership


def member(group: Group, membership_id: int) -> GroupMembership | None:
    membership = db.session.get(GroupMembership, membership_id)
    return membership if membership is not None and membership.group_id == group.id else None


def change_role(group: Group, actor: User, membership: GroupMembership, role: GroupRole) -> None:
    if membership.role == role:
        return
    if membership.role == GroupRole.OWNER and _owner_count(group) <= 1:
        raise GroupError(_("A group needs an owner. Make someone else owner first."))
    before = membership.role
    membership.role = role
    db.session.flush()
    record(actor, "group.role_changed", "group", group.id,
           {"user": membership.user_id, "before": before.value, "after": role.value})  # fmt: skip


def remove_member(group: Group, actor: User, membership: GroupMembership) -> None:
    if membership.role == GroupRole.OWNER and _owner_count(group) <= 1:
        raise GroupError(_("A group needs an owner. Make someone else owner first."))
    user_id = membership.user_id
    db.session.delete(membership)
    db.session.flush()
    record(actor, "group.member_removed", "group", group.id, {"user": user_id})


def _membership_of(group_id: int, user_id: int) -> GroupMembership | None:
    return db.session.scalar(
        select(GroupMembership).where(
            GroupMembership.group_id == group_id, GroupMembership.user_id == user_id
        )
    )


def _owner_count(group: Group) -> int:
    return (
        db.session.scalar(
            select(func.count(GroupMembership.id)).where(
                GroupMembership.group_id == group.id, GroupMembership.role == GroupRole.OWNER
            )
        )
        or 0
    )
