"""Imports every domain's models so that metadata (and Alembic) sees all tables."""

from organizer.accounts.models import NotificationPreference, User
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
from organizer.letters.models import (
    Delivery,
    Letter,
    LetterDocument,
    MilestoneTrigger,
    Regulator,
    Response,
)
from organizer.mail.models import CapturedEmail, OutboundAttachment, OutboundEmail
from organizer.places.models import City
from organizer.signatures.models import (
    Commitment,
    Milestone,
    OfflineBatch,
    OfflineBatchCountry,
    Pledge,
    Signature,
    SignatureSettings,
)
from organizer.signatures.moderation_batches import ModerationBatch, ModerationBatchItem
from organizer.signatures.tallies import (
    AbuseReport,
    CountChange,
    CountryCount,
    DailyCount,
    ModerationJob,
    RevisionNoticeJob,
    SignatureTotal,
)

__all__ = [
    "RSVP",
    "AbuseReport",
    "Amendment",
    "AuditLog",
    "Campaign",
    "CapturedEmail",
    "City",
    "Commitment",
    "CountChange",
    "CountryCount",
    "DailyCount",
    "Delivery",
    "Demand",
    "Endorsement",
    "Event",
    "EventReport",
    "EventSettings",
    "HostResource",
    "Invitation",
    "Letter",
    "LetterDocument",
    "Membership",
    "Milestone",
    "MilestoneTrigger",
    "ModerationBatch",
    "ModerationBatchItem",
    "ModerationJob",
    "NotificationPreference",
    "OfflineBatch",
    "OfflineBatchCountry",
    "OutboundAttachment",
    "OutboundEmail",
    "Pledge",
    "Regulator",
    "Reminder",
    "Response",
    "Revision",
    "RevisionNoticeJob",
    "Section",
    "Signature",
    "SignatureSettings",
    "SignatureTotal",
    "User",
]
