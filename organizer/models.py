"""Imports every domain's models so that metadata (and Alembic) sees all tables."""

from organizer.accounts.models import NotificationPreference, User
from organizer.api.models import ApiToken, WebhookDelivery, WebhookSubscription
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
from organizer.groups.models import Group, GroupMembership
from organizer.letters.models import (
    Delivery,
    Letter,
    LetterDocument,
    MilestoneTrigger,
    Regulator,
    Response,
)
from organizer.mail.models import CapturedEmail, OutboundAttachment, OutboundEmail, Suppression
from organizer.mailings.models import Mailing, MailingContent, MailingRecipient
from organizer.partners.models import Partner, SourceCode
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
from organizer.supporters.models import ConsentEvent, ErasedSupporter, Supporter, Tag, Tagging

__all__ = [
    "RSVP",
    "AbuseReport",
    "Amendment",
    "ApiToken",
    "AuditLog",
    "Campaign",
    "CapturedEmail",
    "City",
    "Commitment",
    "ConsentEvent",
    "CountChange",
    "CountryCount",
    "DailyCount",
    "Delivery",
    "Demand",
    "Endorsement",
    "ErasedSupporter",
    "Event",
    "EventReport",
    "EventSettings",
    "Group",
    "GroupMembership",
    "HostResource",
    "Invitation",
    "Letter",
    "LetterDocument",
    "Mailing",
    "MailingContent",
    "MailingRecipient",
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
    "Partner",
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
    "SourceCode",
    "Supporter",
    "Suppression",
    "Tag",
    "Tagging",
    "User",
    "WebhookDelivery",
    "WebhookSubscription",
]
