"""Tell a campaign's owners and organizers what happened, by email through the outbox.

Other domains call one function here at the moment something happens (a pledge decided, a
milestone reached, a screening submitted, a response recorded). Each person gets the email
in their own language, unless they turned that kind off in their account settings. The
idempotency keys make a retried task or a second call send nothing twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from organizer.accounts.models import NotificationKind, User
from organizer.accounts.notifications import wanting
from organizer.campaigns.models import Campaign, Membership, Role
from organizer.extensions import db
from organizer.mail.services import queue_email
from organizer.urls import external_url

if TYPE_CHECKING:
    from organizer.events.models import Event
    from organizer.letters.models import Response
    from organizer.signatures.models import Milestone, Pledge

TOLD_ROLES = (Role.OWNER, Role.ORGANIZER)


def recipients(campaign_id: int, kind: NotificationKind, exclude: int | None = None) -> list[User]:
    """The campaign's owners and organizers who want this kind, less ``exclude`` (a user id)."""
    team = db.session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.campaign_id == campaign_id, Membership.role.in_(TOLD_ROLES))
        .order_by(User.id)
    )
    return [user for user in wanting(team, kind) if user.id != exclude]


def _tell(
    campaign: Campaign,
    kind: NotificationKind,
    template: str,
    key: str,
    context: dict[str, Any],
    exclude: int | None = None,
) -> int:
    settings_url = external_url("accounts.settings") + "#notifications"
    told = 0
    for user in recipients(campaign.id, kind, exclude):
        queue_email(
            to=user.email,
            template=template,
            locale=user.locale,
            context={**context, "campaign": campaign, "user": user, "settings_url": settings_url},
            related=("campaign", campaign.id),
            idempotency_key=f"{key}:user:{user.id}",
        )
        told += 1
    return told


def pledge_decided(pledge: Pledge) -> int:
    """A pledge has just triggered or lapsed (its status says which)."""
    campaign = pledge.campaign
    return _tell(
        campaign,
        NotificationKind.PLEDGE,
        f"organizers_pledge_{pledge.status.value}",
        f"notify:pledge:{pledge.id}:{pledge.status.value}",
        {
            "pledge": pledge,
            "manage_url": external_url("signature_admin.pledge_list", slug=campaign.slug),
        },
    )


def milestone_reached(campaign: Campaign, milestone: Milestone, total: int) -> int:
    # The key predates this module: milestones announced before it are not sent again.
    return _tell(
        campaign,
        NotificationKind.MILESTONE,
        "milestone_organizers",
        f"milestone:{milestone.id}",
        {
            "milestone": milestone,
            "total": total,
            "page_url": external_url("campaigns.page", slug=campaign.slug),
        },
    )


def screening_awaits_approval(event: Event) -> int:
    campaign = event.campaign
    return _tell(
        campaign,
        NotificationKind.SCREENING,
        "organizers_screening_pending",
        f"notify:screening:{event.id}",
        {
            "event": event,
            "host": event.host,
            "review_url": external_url("event_organizer.events", slug=campaign.slug),
        },
        exclude=event.host_id,
    )


def letter_response_recorded(response: Response, actor: User) -> int:
    """Tell the other organizers; the one who recorded it knows."""
    letter = response.letter
    campaign = letter.campaign
    return _tell(
        campaign,
        NotificationKind.LETTER_RESPONSE,
        "organizers_letter_response",
        f"notify:letter-response:{response.id}",
        {
            "letter": letter,
            "body": letter.regulator,
            "response": response,
            "actor": actor,
            "letter_url": external_url("letters.letter", slug=campaign.slug, letter_id=letter.id),
        },
        exclude=actor.id,
    )
