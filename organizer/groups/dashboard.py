"""What a group's dashboard and public page show: its campaigns and counts, never names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from organizer.campaigns.models import Campaign
from organizer.db import utcnow
from organizer.extensions import db
from organizer.groups.models import Group
from organizer.mailings.models import Mailing, MailingStatus
from organizer.supporters.models import Supporter, SupporterStatus

RECENT = timedelta(days=30)


@dataclass(frozen=True)
class Summary:
    campaigns: list[Campaign]
    subscribed: int
    supporters: int
    recent_mailings: int


def campaigns_of(group: Group, public_only: bool = False) -> list[Campaign]:
    statement = select(Campaign).where(Campaign.group_id == group.id)
    if public_only:
        statement = statement.where(Campaign.first_published_at.is_not(None))
    return list(db.session.scalars(statement.order_by(Campaign.updated_at.desc(), Campaign.id)))


def summary(group: Group) -> Summary:
    # Supporters are counted straight from their table: the list is the group's, not a
    # campaign's, and a dashboard view is rare enough for an exact count.
    present = (Supporter.group_id == group.id, Supporter.erased_at.is_(None))
    supporters = db.session.scalar(select(func.count(Supporter.id)).where(*present)) or 0
    subscribed = (
        db.session.scalar(
            select(func.count(Supporter.id)).where(
                *present, Supporter.status == SupporterStatus.SUBSCRIBED
            )
        )
        or 0
    )
    recent = (
        db.session.scalar(
            select(func.count(Mailing.id)).where(
                Mailing.group_id == group.id,
                Mailing.status == MailingStatus.SENT,
                Mailing.finished_at >= utcnow() - RECENT,
            )
        )
        or 0
    )
    return Summary(campaigns_of(group), subscribed, supporters, recent)
