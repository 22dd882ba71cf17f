"""A campaign's home for its team: what needs attention, the headline numbers, and the tools
the member's role opens. Real counts: only the team looks at this page, and rarely."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from organizer.campaigns.models import Amendment, AmendmentStatus, Campaign
from organizer.campaigns.permissions import ROLE_PERMISSIONS, Permission, role_for
from organizer.events.models import Event, EventStatus
from organizer.extensions import db
from organizer.letters.models import Letter, LetterStatus
from organizer.signatures.counting import Totals, totals
from organizer.signatures.models import Pledge, PledgeStatus, Signature, SignatureStatus

# A pledge this close to its threshold is worth a push (a share, a mailing) to get it over.
NEAR_THRESHOLD_PERCENT = 75


@dataclass(frozen=True)
class Tool:
    key: str
    endpoint: str
    label: Any
    permission: Permission
    summary: Any


TOOLS = (
    Tool("overview", "campaign_dashboard.overview", _l("Overview"), Permission.VIEW_DRAFT,
         _l("What needs attention, and the numbers.")),
    Tool("text", "campaign_editor.editor", _l("Text"), Permission.EDIT_TEXT,
         _l("Write, revise and publish the grievance list.")),
    Tool("amendments", "campaign_dashboard.amendments", _l("Amendments"),
         Permission.DECIDE_AMENDMENTS, _l("Decide on the changes supporters propose.")),
    Tool("team", "campaign_team.members", _l("Team"), Permission.VIEW_DRAFT,
         _l("Who works on the campaign, and invitations.")),
    Tool("signatures", "signature_admin.dashboard", _l("Signatures"), Permission.VIEW_DRAFT,
         _l("Signatures by state and by country.")),
    Tool("moderation", "signature_moderation.overview", _l("Moderation"),
         Permission.MODERATE_SIGNATURES, _l("Review suspect signatures; invalidate in bulk.")),
    Tool("audit", "campaign_dashboard.audit", _l("Audit log"), Permission.MODERATE_SIGNATURES,
         _l("Every team, moderator and delivery action.")),
    Tool("pledges", "signature_admin.pledge_list", _l("Pledges"), Permission.EDIT_SETTINGS,
         _l("“I will if others do” pledges and their thresholds.")),
    Tool("paper", "signature_admin.offline_batches", _l("Paper batches"),
         Permission.EDIT_SETTINGS, _l("Signatures collected on paper.")),
    Tool("screenings", "event_organizer.events", _l("Screenings"), Permission.MANAGE_EVENTS,
         _l("Approve screenings and help their hosts.")),
    Tool("letters", "letters.index", _l("Letters"), Permission.MANAGE_LETTERS,
         _l("Letters to regulators and their responses.")),
    Tool("sources", "sources.overview", _l("Sources"), Permission.VIEW_DRAFT,
         _l("Where signatures come from: partners, share links, your own codes.")),
    Tool("embed", "embed_settings.settings", _l("Embed"), Permission.EDIT_SETTINGS,
         _l("The sign form and the count on partners' websites.")),
    Tool("share", "sharing.organize", _l("Share & print"), Permission.VIEW_DRAFT,
         _l("QR code, flyer, sign-up sheet and share links.")),
    Tool("partners", "partners.campaign", _l("Partners"), Permission.MANAGE_TEAM,
         _l("Invite partner groups into the campaign's coalition.")),
    Tool("exports", "campaign_dashboard.exports", _l("Exports"), Permission.VIEW_DRAFT,
         _l("Download the signatures and the text.")),
    Tool("settings", "campaign_editor.settings", _l("Settings"), Permission.EDIT_SETTINGS,
         _l("Title, summary, goal, deadline and documentary.")),
)  # fmt: skip


def tools_for(campaign: Campaign, user: Any) -> list[Tool]:
    """The tools the user's role opens, in the order of the sub-navigation; none for a host."""
    role = role_for(campaign, user)
    if role is None:
        return []
    allowed = ROLE_PERMISSIONS[role]
    return [tool for tool in TOOLS if tool.permission in allowed]


@dataclass(frozen=True)
class Attention:
    """One thing to resolve: how many, and the tool that resolves it."""

    key: str
    count: int
    endpoint: str


@dataclass(frozen=True)
class Overview:
    totals: Totals
    attention: list[Attention]


def _count(statement: Select[Any]) -> int:
    return int(db.session.scalar(statement) or 0)


def _pending_screenings(campaign: Campaign) -> int:
    return _count(
        select(func.count(Event.id)).where(
            Event.campaign_id == campaign.id, Event.status == EventStatus.PENDING
        )
    )


def _open_amendments(campaign: Campaign) -> int:
    return _count(
        select(func.count(Amendment.id)).where(
            Amendment.campaign_id == campaign.id, Amendment.status == AmendmentStatus.OPEN
        )
    )


def _suspect_signatures(campaign: Campaign) -> int:
    return _count(
        select(func.count(Signature.id)).where(
            Signature.campaign_id == campaign.id,
            Signature.suspect.is_(True),
            Signature.status.in_((SignatureStatus.PENDING, SignatureStatus.CONFIRMED)),
        )
    )


def _letters_awaiting_response(campaign: Campaign) -> int:
    return _count(
        select(func.count(Letter.id)).where(
            Letter.campaign_id == campaign.id, Letter.status == LetterStatus.SENT
        )
    )


def _pledges_near_threshold(campaign: Campaign) -> int:
    return _count(
        select(func.count(Pledge.id)).where(
            Pledge.campaign_id == campaign.id,
            Pledge.status == PledgeStatus.OPEN,
            Pledge.committed < Pledge.threshold,
            Pledge.committed * 100 >= Pledge.threshold * NEAR_THRESHOLD_PERCENT,
        )
    )


# What needs attention, the query that counts it, and the tool that resolves it.
_ATTENTION = (
    ("screenings", _pending_screenings, "event_organizer.events"),
    ("amendments", _open_amendments, "campaign_dashboard.amendments"),
    ("suspects", _suspect_signatures, "signature_moderation.overview"),
    ("letters", _letters_awaiting_response, "letters.index"),
    ("pledges", _pledges_near_threshold, "signature_admin.pledge_list"),
)


def overview(campaign: Campaign, user: Any) -> Overview:
    """Only what the user's role can act on, and only what is not zero."""
    reachable = {tool.endpoint for tool in tools_for(campaign, user)}
    attention = []
    for key, count_of, endpoint in _ATTENTION:
        if endpoint in reachable and (count := count_of(campaign)):
            attention.append(Attention(key, count, endpoint))
    return Overview(totals(campaign.id, campaign.signature_goal), attention)
