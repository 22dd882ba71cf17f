"""Campaign rules: creating and configuring campaigns, and editing the grievance text.

Every edit changes the working copy, then refreshes the draft revision. Nothing here
commits: the request does, once.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from organizer.accounts.models import User
from organizer.audit.services import record
from organizer.campaigns import revisions
from organizer.campaigns.importing import ImportedText
from organizer.campaigns.models import (
    Amendment,
    AmendmentStatus,
    Campaign,
    CampaignStatus,
    Demand,
    Membership,
    Revision,
    Role,
    Section,
)
from organizer.campaigns.revisions import ordered
from organizer.campaigns.vocabulary import (
    normalize_jurisdictions,
    normalize_text,
    normalize_topics,
)
from organizer.extensions import db
from organizer.groups.models import Group, GroupMembership, GroupRole
from organizer.groups.permissions import group_role_for
from organizer.groups.services import CAMPAIGN_MAKERS, one_campaign_group
from organizer.urls import reserved_slugs, slugify

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PAGE_SIZE = 20


class CampaignError(ValueError):
    """A request the rules refuse; the message is for the person (already translated)."""


def new_uid() -> str:
    return secrets.token_hex(6)


def is_reserved_slug(slug: str) -> bool:
    """Whether ``slug`` is a fixed path segment where campaign slugs go (/organize/new)."""
    return slug in reserved_slugs()


def get_by_slug(slug: str, with_group: bool = False) -> Campaign | None:
    """``with_group`` loads the owning group in the same query (the public page names it)."""
    query = select(Campaign).where(Campaign.slug == slug)
    if with_group:
        query = query.options(joinedload(Campaign.group))
    return db.session.scalar(query)


def _free_slug(base: str) -> str:
    if len(base) < 3 or is_reserved_slug(base):
        base = f"{base}-campaign" if base else "campaign"
    slug, n = base, 2
    while get_by_slug(slug) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_slug(slug: str, campaign: Campaign | None) -> None:
    if not SLUG_RE.match(slug) or not 3 <= len(slug) <= 80:
        raise CampaignError(
            _("Use 3 to 80 lowercase letters, digits and single hyphens, like strike-2018.")
        )
    if is_reserved_slug(slug):
        raise CampaignError(_("Cahier uses this address for one of its own pages. Choose another."))
    other = get_by_slug(slug)
    if other is not None and other is not campaign:
        raise CampaignError(_("Another campaign already uses this address."))


@dataclass
class CampaignDetails:
    title: str
    summary: str
    language: str
    slug: str = ""
    signature_goal: int | None = None
    deadline: date | None = None
    documentary_title: str = ""
    documentary_runtime_minutes: int | None = None
    documentary_url: str = ""


def create_campaign(owner: User, details: CampaignDetails, group: Group | None = None) -> Campaign:
    if not owner.is_verified:
        raise CampaignError(_("Verify your email address before you start a campaign."))
    if group is not None and group_role_for(group.id, owner) not in CAMPAIGN_MAKERS:
        raise CampaignError(_("Only the group's owners and organizers start campaigns in it."))
    slug = details.slug.strip().lower()
    if slug:
        _check_slug(slug, None)
    else:
        slug = _free_slug(slugify(details.title))
    campaign = Campaign(slug=slug, created_by_id=owner.id, title="", language="en")
    _apply(campaign, details)
    campaign.group_id = (
        group.id if group is not None else one_campaign_group(owner, campaign.title, slug).id
    )
    db.session.add(campaign)
    db.session.flush()
    db.session.add(Membership(campaign_id=campaign.id, user_id=owner.id, role=Role.OWNER))
    revisions.sync_draft(campaign, owner)
    return campaign


def move_to_group(campaign: Campaign, actor: User, group: Group) -> None:
    """Give the campaign to another group the actor owns. Its supporters' consents stay with
    the old group: they agreed to hear from that one, not from whoever owns it next."""
    if group_role_for(group.id, actor) != GroupRole.OWNER:
        raise CampaignError(_("You can move a campaign only to a group you own."))
    if group.id == campaign.group_id:
        return
    before = campaign.group_id
    campaign.group_id = group.id
    db.session.flush()
    record(actor, "campaign.group_changed", "campaign", campaign.id,
           {"from": before, "to": group.id, "name": group.name})  # fmt: skip


def update_campaign(campaign: Campaign, details: CampaignDetails) -> None:
    slug = details.slug.strip().lower()
    if slug and slug != campaign.slug:
        if campaign.is_public:
            raise CampaignError(_("The address cannot change once the campaign is published."))
        _check_slug(slug, campaign)
        campaign.slug = slug
    _apply(campaign, details)
    db.session.flush()


def _apply(campaign: Campaign, details: CampaignDetails) -> None:
    campaign.title = details.title.strip()
    campaign.summary = normalize_text(details.summary)
    campaign.language = details.language
    campaign.signature_goal = details.signature_goal
    campaign.deadline = details.deadline
    campaign.documentary_title = details.documentary_title.strip() or None
    campaign.documentary_runtime_minutes = details.documentary_runtime_minutes
    campaign.documentary_url = details.documentary_url.strip() or None


# --- The grievance text -------------------------------------------------------------------


def set_preamble(campaign: Campaign, user: User, preamble: str) -> None:
    campaign.preamble = normalize_text(preamble)
    revisions.sync_draft(campaign, user)


def add_section(
    campaign: Campaign,
    user: User,
    title: str,
    topics: list[str],
    jurisdictions: Iterable[str] = (),
) -> Section:
    section = Section(
        uid=new_uid(),
        position=len(campaign.sections),
        title=normalize_text(title),
        topics=normalize_topics(topics),
        jurisdictions=normalize_jurisdictions(jurisdictions),
    )
    campaign.sections.append(section)
    revisions.sync_draft(campaign, user)
    return section


def update_section(
    section: Section,
    user: User,
    title: str,
    topics: list[str],
    jurisdictions: Iterable[str] | None = None,
) -> None:
    section.title = normalize_text(title)
    section.topics = normalize_topics(topics)
    if jurisdictions is not None:
        section.jurisdictions = normalize_jurisdictions(jurisdictions)
    revisions.sync_draft(section.campaign, user)


def delete_section(section: Section, user: User) -> None:
    campaign = section.campaign
    campaign.sections.remove(section)
    _renumber(ordered(campaign.sections))
    revisions.sync_draft(campaign, user)


def move_section(section: Section, user: User, offset: int) -> None:
    sections = ordered(section.campaign.sections)
    index = sections.index(section)
    target = index + offset
    if 0 <= target < len(sections):
        sections.insert(target, sections.pop(index))
        _renumber(sections)
        revisions.sync_draft(section.campaign, user)


def add_demand(
    section: Section, user: User, text: str, topics: list[str], jurisdictions: list[str]
) -> Demand:
    demand = Demand(
        uid=new_uid(),
        position=len(section.demands),
        text=normalize_text(text),
        topics=normalize_topics(topics),
        jurisdictions=normalize_jurisdictions(jurisdictions),
    )
    section.demands.append(demand)
    revisions.sync_draft(section.campaign, user)
    return demand


def update_demand(
    demand: Demand, user: User, text: str, topics: list[str], jurisdictions: list[str]
) -> None:
    demand.text = normalize_text(text)
    demand.topics = normalize_topics(topics)
    demand.jurisdictions = normalize_jurisdictions(jurisdictions)
    revisions.sync_draft(demand.section.campaign, user)


def delete_demand(demand: Demand, user: User) -> None:
    section = demand.section
    section.demands.remove(demand)
    _renumber(ordered(section.demands))
    revisions.sync_draft(section.campaign, user)


def move_demand(demand: Demand, user: User, offset: int) -> None:
    """One step up or down; past either end of its section, into the neighbouring one
    (first of the next, last of the previous), or nowhere when there is none."""
    section = demand.section
    campaign = section.campaign
    with db.session.no_autoflush:
        demands = ordered(section.demands)
        index = demands.index(demand)
        target = index + offset
        if 0 <= target < len(demands):
            demands.insert(target, demands.pop(index))
            _renumber(demands)
        else:
            sections = ordered(campaign.sections)
            neighbour_index = sections.index(section) + offset
            if not 0 <= neighbour_index < len(sections):
                return
            _move_across(demand, sections[neighbour_index], at_end=offset < 0)
    revisions.sync_draft(campaign, user)


def _move_across(demand: Demand, neighbour: Section, at_end: bool) -> None:
    # Both collections are loaded before the demand changes hands, and the hand-over is
    # one assignment: a demand taken out of a delete-orphan collection and flushed
    # (by a lazy load's autoflush) before it joins the other one would be deleted.
    old_section = demand.section
    staying = [d for d in ordered(old_section.demands) if d is not demand]
    arriving = ordered(neighbour.demands)
    arriving.insert(len(arriving) if at_end else 0, demand)
    demand.section = neighbour
    _renumber(staying)
    _renumber(arriving)


def _renumber(items: list[Any]) -> None:
    for position, item in enumerate(items):
        item.position = position


def replace_text(campaign: Campaign, user: User, text: ImportedText) -> None:
    """Make an imported file the working copy (a new draft revision once published)."""
    for section in list(campaign.sections):
        campaign.sections.remove(section)
    db.session.flush()
    campaign.preamble = text.preamble
    for s_index, imported in enumerate(text.sections):
        section = Section(
            uid=new_uid(),
            position=s_index,
            title=imported.title,
            topics=imported.topics,
            jurisdictions=imported.jurisdictions,
        )
        for d_index, item in enumerate(imported.demands):
            section.demands.append(
                Demand(
                    uid=new_uid(),
                    position=d_index,
                    text=item.text,
                    topics=item.topics,
                    jurisdictions=item.jurisdictions,
                )
            )
        campaign.sections.append(section)
    revisions.sync_draft(campaign, user)


def find_section(campaign: Campaign, section_id: int) -> Section | None:
    section = db.session.get(Section, section_id)
    return section if section is not None and section.campaign_id == campaign.id else None


def find_demand(campaign: Campaign, demand_id: int) -> Demand | None:
    demand = db.session.get(Demand, demand_id)
    if demand is None or demand.section.campaign_id != campaign.id:
        return None
    return demand


def find_demand_by_uid(campaign: Campaign, uid: str) -> Demand | None:
    return db.session.scalar(
        select(Demand).join(Section).where(Section.campaign_id == campaign.id, Demand.uid == uid)
    )


def find_section_by_uid(campaign: Campaign, uid: str) -> Section | None:
    return db.session.scalar(
        select(Section).where(Section.campaign_id == campaign.id, Section.uid == uid)
    )


# --- Lists --------------------------------------------------------------------------------


def public_campaigns(query: str = "", language: str = "", page: int = 1) -> list[Campaign]:
    statement = select(Campaign).where(Campaign.first_published_at.is_not(None))
    statement = statement.where(Campaign.status != CampaignStatus.ARCHIVED)
    if query.strip():
        pattern = "%" + query.strip().replace("\\", "").replace("%", "").replace("_", "") + "%"
        statement = statement.where(Campaign.title.ilike(pattern))
    if language:
        statement = statement.where(Campaign.language == language)
    statement = statement.order_by(Campaign.first_published_at.desc(), Campaign.id.desc())
    offset = (max(page, 1) - 1) * PAGE_SIZE
    return list(db.session.scalars(statement.offset(offset).limit(PAGE_SIZE + 1)))


def public_languages() -> list[str]:
    return list(
        db.session.scalars(
            select(Campaign.language)
            .where(Campaign.first_published_at.is_not(None))
            .distinct()
            .order_by(Campaign.language)
        )
    )


@dataclass(frozen=True)
class DashboardRow:
    campaign: Campaign
    role: Role
    published: Revision | None
    draft: Revision | None
    open_amendments: int


def dashboard(user: User) -> list[DashboardRow]:
    roles = {
        campaign: role
        for campaign, role in db.session.execute(
            select(Campaign, Membership.role).join(Membership).where(Membership.user_id == user.id)
        ).all()
    }
    # An owner of a group owns each of its campaigns, team member or not.
    for campaign in db.session.scalars(
        select(Campaign)
        .join(GroupMembership, GroupMembership.group_id == Campaign.group_id)
        .where(GroupMembership.user_id == user.id, GroupMembership.role == GroupRole.OWNER)
    ):
        roles[campaign] = Role.OWNER
    ordered_campaigns = sorted(roles, key=lambda c: (c.updated_at, c.id), reverse=True)
    return [
        DashboardRow(
            campaign,
            roles[campaign],
            revisions.published_revision(campaign),
            revisions.draft_revision(campaign),
            _open_amendments(campaign),
        )
        for campaign in ordered_campaigns
    ]


def _open_amendments(campaign: Campaign) -> int:
    return (
        db.session.scalar(
            select(func.count(Amendment.id)).where(
                Amendment.campaign_id == campaign.id, Amendment.status == AmendmentStatus.OPEN
            )
        )
        or 0
    )


def team(campaign: Campaign) -> list[Membership]:
    order = [Role.OWNER, Role.ORGANIZER, Role.MODERATOR, Role.HOST]
    members = list(
        db.session.scalars(select(Membership).where(Membership.campaign_id == campaign.id))
    )
    return sorted(members, key=lambda m: (order.index(m.role), m.user.display_name.lower()))


def organizer_names(campaign: Campaign) -> list[str]:
    """The names shown on the public page: owner and organizers, in team() order.

    One joined query: the page is rendered for every reader, and memberships then users
    were two round trips (and one ORM object per member)."""
    order = [Role.OWNER, Role.ORGANIZER]
    rows = db.session.execute(
        select(Membership.role, User.display_name)
        .join(User, User.id == Membership.user_id)
        .where(Membership.campaign_id == campaign.id, Membership.role.in_(order))
    ).all()
    ranked = sorted(rows, key=lambda row: (order.index(row.role), row.display_name.lower()))
    return [row.display_name for row in ranked]
