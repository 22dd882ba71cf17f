"""Signatures and RSVPs per source, for the team: real counts, one aggregate each.

The signature aggregate reads only ``ix_signature_campaign_source`` (campaign, source,
status). Conversion is the share of confirmed signatures among those confirmed or still
waiting: withdrawn and invalidated ones say nothing about whether a channel works.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from flask_babel import format_number, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from organizer.campaigns.models import Campaign
from organizer.events.models import RSVP, Event, RSVPStatus
from organizer.extensions import db
from organizer.groups.models import Group
from organizer.partners.models import Partner
from organizer.signatures.models import Signature, SignatureStatus
from organizer.sources.codes import BUILT_IN_CODES, NO_SOURCE, SHARE_CHANNELS, share_code
from organizer.sources.services import COUNTING_PARTNERS, defined_codes

# RSVPs of guests who confirmed their address: seated or waiting for a place.
CONFIRMED_RSVPS = (RSVPStatus.GOING, RSVPStatus.WAITLISTED)

CHANNEL_NAMES: dict[str, Any] = {
    "email": _l("Email"),
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "whatsapp": "WhatsApp",
    "telegram": "Telegram",
    "facebook": "Facebook",
    "x": "X",
    "linkedin": "LinkedIn",
    "copy": _l("Copied link"),
}
STREET_NAMES: dict[str, Any] = {"qr": _l("QR code"), "flyer": _l("Flyer")}


@dataclass
class SourceRow:
    code: str | None  # None: signed with no code (directly, or before codes existed)
    label: Any
    confirmed: int = 0
    pending: int = 0
    rsvps: int = 0

    @property
    def conversion(self) -> float | None:
        """Confirmed among confirmed and pending, as a fraction; None when there are none."""
        started = self.confirmed + self.pending
        return self.confirmed / started if started else None

    @property
    def filter_value(self) -> str:
        return self.code if self.code is not None else NO_SOURCE


def signature_counts(campaign_id: int) -> dict[str | None, dict[SignatureStatus, int]]:
    rows = db.session.execute(
        select(Signature.source, Signature.status, func.count())
        .where(Signature.campaign_id == campaign_id)
        .group_by(Signature.source, Signature.status)
    )
    counts: dict[str | None, dict[SignatureStatus, int]] = defaultdict(dict)
    for source, status, n in rows:
        counts[source][SignatureStatus(status)] = n
    return counts


def rsvp_counts(campaign_id: int) -> dict[str | None, int]:
    rows = db.session.execute(
        select(RSVP.source, func.count())
        .join(Event, Event.id == RSVP.event_id)
        .where(Event.campaign_id == campaign_id, RSVP.status.in_(CONFIRMED_RSVPS))
        .group_by(RSVP.source)
    )
    return {source: n for source, n in rows}


def source_rows(campaign: Campaign) -> list[SourceRow]:
    """Every source with signatures or RSVPs, and every partner or defined code even
    without any; the most confirmed first, "no source" last."""
    labels = code_labels(campaign)
    rows: dict[str | None, SourceRow] = {
        code: SourceRow(code, label) for code, label in labels.items() if code not in BUILT_IN_CODES
    }
    for source, by_status in signature_counts(campaign.id).items():
        row = rows.setdefault(source, SourceRow(source, labels.get(source or "", "")))
        row.confirmed = by_status.get(SignatureStatus.CONFIRMED, 0)
        row.pending = by_status.get(SignatureStatus.PENDING, 0)
    for source, n in rsvp_counts(campaign.id).items():
        rows.setdefault(source, SourceRow(source, labels.get(source or "", ""))).rsvps = n
    return sorted(
        rows.values(), key=lambda r: (r.code is None, -r.confirmed, -r.rsvps, r.code or "")
    )


def code_labels(campaign: Campaign) -> dict[str, Any]:
    """What each code stands for: a channel, the street, a partner's name, a label."""
    labels: dict[str, Any] = {
        share_code(channel): _l("Share: %(channel)s", channel=CHANNEL_NAMES[channel])
        for channel in SHARE_CHANNELS
    }
    labels.update(STREET_NAMES)
    partners = db.session.execute(
        select(Partner.source_code, Group.name)
        .join(Group, Group.id == Partner.group_id)
        .where(Partner.campaign_id == campaign.id, Partner.status.in_(COUNTING_PARTNERS))
    )
    for code, name in partners:
        labels[code] = _l("Partner: %(name)s", name=name)
    for defined in defined_codes(campaign):
        labels[defined.code] = defined.label
    return labels


def export_choices(campaign: Campaign) -> list[tuple[str, str]]:
    """The sources with confirmed signatures, as (filter value, label) for the exports
    page; none when every signature came without a code (the filter would be no choice)."""
    rows = [row for row in source_rows(campaign) if row.confirmed]
    if all(row.code is None for row in rows):
        return []
    return [(row.filter_value, _choice_label(row)) for row in rows]


def _choice_label(row: SourceRow) -> str:
    name = row.code if row.code is not None else str(_l("No source (direct)"))
    return ngettext(
        "%(source)s (%(count)s signature)",
        "%(source)s (%(count)s signatures)",
        row.confirmed,
        source=name,
        count=format_number(row.confirmed),
    )
