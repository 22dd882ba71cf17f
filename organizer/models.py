"""Imports every domain's models so that metadata (and Alembic) sees all tables."""

from organizer.accounts.models import User
from organizer.campaigns.models import (
    Amendment,
    Campaign,
    Demand,
    Endorsement,
    Invitation,
    Membership,
    Revision,
    Section,
)
from organizer.mail.models import CapturedEmail, OutboundEmail

__all__ = [
    "Amendment",
    "Campaign",
    "CapturedEmail",
    "Demand",
    "Endorsement",
    "Invitation",
    "Membership",
    "OutboundEmail",
    "Revision",
    "Section",
    "User",
]
