"""Imports every domain's models so that metadata (and Alembic) sees all tables."""

from organizer.accounts.models import User
from organizer.audit.models import AuditLog
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
from organizer.events.models import (
    RSVP,
    Event,
    EventReport,
    EventSettings,
    HostResource,
    Reminder,
)
from organizer.mail.models import CapturedEmail, OutboundEmail
from organizer.signatures.models import (
    Commitment,
    Milestone,
    OfflineBatch,
    Pledge,
    Signature,
    SignatureSettings,
)
from organizer.signatures.tallies import (
    AbuseReport,
    CountChange,
    CountryCount,
    DailyCount,
    ModerationJob,
    SignatureTotal,
)

__all__ = [
    "RSVP",
    "AbuseReport",
    "Amendment",
    "AuditLog",
    "Campaign",
    "CapturedEmail",
    "Commitment",
    "CountChange",
    "CountryCount",
    "DailyCount",
    "Demand",
    "Endorsement",
    "Event",
    "EventReport",
    "EventSettings",
    "HostResource",
    "Invitation",
    "Membership",
    "Milestone",
    "ModerationJob",
    "OfflineBatch",
    "OutboundEmail",
    "Pledge",
    "Reminder",
    "Revision",
    "Section",
    "Signature",
    "SignatureSettings",
    "SignatureTotal",
    "User",
]
