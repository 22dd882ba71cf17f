"""Paper signatures, recorded in batches by organizers: they count toward the goal.

A batch may say where its signers live (country → count, adding up exactly to the batch);
the part nobody noted is "country unknown", counted toward the goal but routed nowhere.
Adding, editing and deleting a batch move the counters and check milestones in the same
transaction, so a milestone reached on paper is announced with the number that reached it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from organizer.accounts.models import User
from organizer.audit.services import record
from organizer.campaigns.models import Campaign
from organizer.db import utcnow
from organizer.extensions import db
from organizer.signatures import counting, milestones
from organizer.signatures.countries import UNKNOWN_COUNTRY, countries, is_country
from organizer.signatures.models import OfflineBatch, OfflineBatchCountry

# Somewhere on Earth (UTC+14) it is already tomorrow: a batch dated then is not in the future.
EARLIEST_ZONE = timedelta(hours=14)
_LINE = re.compile(r"^(?P<country>.*?)[\s:=;,]+(?P<count>\d[\d\s.,'\u00a0\u202f]*)$")


class OfflineError(ValueError):
    """A batch the rules refuse; ``field`` names the form field the message belongs under."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class BatchInput:
    count: int
    collected_on: date
    note: str
    # Country → count as the organizer typed it; empty when nobody noted the countries.
    breakdown: dict[str, int]


def parse_breakdown(text: str, language: str) -> dict[str, int]:
    """Lines like "FR 1200" or "France: 1 200" into {"FR": 1200}; repeated countries add up."""
    names = {name.casefold(): code for code, name in countries(language)}
    names.update({name.casefold(): code for code, name in countries("en")})
    found: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _LINE.match(line)
        if match is None:
            raise OfflineError(
                _("Line %(line)d: write a country, then a number.", line=number), "countries"
            )
        name = match["country"].strip()
        code = name.upper() if is_country(name.upper()) else names.get(name.casefold())
        if code is None:
            raise OfflineError(
                _("Line %(line)d: “%(name)s” is not a country we know.", line=number, name=name),
                "countries",
            )
        count = int(re.sub(r"\D", "", match["count"]))
        found[code] = found.get(code, 0) + count
    return found


def format_breakdown(batch: OfflineBatch) -> str:
    return "\n".join(
        f"{part.country} {part.count}"
        for part in batch.countries
        if part.country != UNKNOWN_COUNTRY
    )


def validate(entry: BatchInput) -> dict[str, int]:
    """The batch's parts by country, unknown included; raise OfflineError when refused."""
    maximum = int(current_app.config["PAPER_BATCH_MAX"])
    if not 1 <= entry.count <= maximum:
        raise OfflineError(
            ngettext(
                "A batch holds from 1 to %(most)s signature.",
                "A batch holds from 1 to %(most)s signatures.",
                maximum,
                most=format_decimal(maximum),
            ),
            "count",
        )
    if entry.collected_on > (utcnow() + EARLIEST_ZONE).date():
        raise OfflineError(_("The date cannot be in the future."), "collected_on")
    if any(n < 1 for n in entry.breakdown.values()):
        raise OfflineError(_("Each country needs at least one signature."), "countries")
    listed = sum(entry.breakdown.values())
    if entry.breakdown and listed != entry.count:
        raise OfflineError(
            ngettext(
                "The countries add up to %(num)d signature, not %(count)d.",
                "The countries add up to %(num)d signatures, not %(count)d.",
                listed,
                count=entry.count,
            ),
            "countries",
        )
    return dict(entry.breakdown) or {UNKNOWN_COUNTRY: entry.count}


def add_batch(campaign: Campaign, user: User, entry: BatchInput) -> OfflineBatch:
    parts = validate(entry)
    batch = OfflineBatch(
        campaign_id=campaign.id,
        count=entry.count,
        collected_on=entry.collected_on,
        note=entry.note.strip(),
        created_by_id=user.id,
        countries=[OfflineBatchCountry(country=c, count=n) for c, n in sorted(parts.items())],
    )
    db.session.add(batch)
    db.session.flush()
    _moved(campaign, parts)
    record(user, "signatures.offline_added", "campaign", campaign.id,
           {"batch": batch.id, **_describe(batch)})  # fmt: skip
    return batch


def update_batch(campaign: Campaign, user: User, batch_id: int, entry: BatchInput) -> OfflineBatch:
    batch = get_batch(campaign, batch_id)
    parts = validate(entry)
    before = _describe(batch)
    old_parts = {part.country: part.count for part in batch.countries}
    batch.count = entry.count
    batch.collected_on = entry.collected_on
    batch.note = entry.note.strip()
    batch.countries = [OfflineBatchCountry(country=c, count=n) for c, n in sorted(parts.items())]
    db.session.flush()
    deltas = {c: parts.get(c, 0) - old_parts.get(c, 0) for c in set(parts) | set(old_parts)}
    _moved(campaign, deltas)
    after = _describe(batch)
    if after != before:
        record(user, "signatures.offline_edited", "campaign", campaign.id,
               {"batch": batch.id, "before": before, "after": after})  # fmt: skip
    return batch


def delete_batch(campaign: Campaign, user: User, batch_id: int) -> None:
    batch = get_batch(campaign, batch_id)
    details = {"batch": batch.id, **_describe(batch)}
    counting.add_offline(campaign.id, {part.country: -part.count for part in batch.countries})
    record(user, "signatures.offline_deleted", "campaign", campaign.id, details)
    db.session.delete(batch)
    db.session.flush()


def get_batch(campaign: Campaign, batch_id: int) -> OfflineBatch:
    batch = db.session.get(OfflineBatch, batch_id)
    if batch is None or batch.campaign_id != campaign.id:
        raise OfflineError(_("No such batch on this campaign."))
    return batch


def batches(campaign: Campaign) -> list[OfflineBatch]:
    return list(
        db.session.scalars(
            select(OfflineBatch)
            .where(OfflineBatch.campaign_id == campaign.id)
            .order_by(OfflineBatch.collected_on.desc(), OfflineBatch.id.desc())
        )
    )


def _moved(campaign: Campaign, deltas: dict[str, int]) -> None:
    counting.add_offline(campaign.id, deltas)
    if sum(deltas.values()) > 0:
        milestones.announce_reached(campaign.id)


def _describe(batch: OfflineBatch) -> dict[str, object]:
    return {
        "count": batch.count,
        "collected_on": batch.collected_on.isoformat(),
        "note": batch.note,
        "countries": {part.country: part.count for part in batch.countries},
    }
