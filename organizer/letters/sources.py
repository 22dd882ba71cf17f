"""What letters read from the signatures domain, in one place.

Letters certify numbers, so they count confirmed, unsuspected signatures exactly here
rather than reading the public counters, which may lag a few seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select

from organizer.campaigns.models import Campaign, Revision
from organizer.extensions import db
from organizer.signatures.consents import Purpose, consented
from organizer.signatures.countries import UNKNOWN_COUNTRY
from organizer.signatures.models import (
    OfflineBatch,
    OfflineBatchCountry,
    Signature,
    SignatureStatus,
)

ANNEX_BATCH = 1000


def _counted(campaign: Campaign) -> tuple[ColumnElement[bool], ...]:
    return (
        Signature.campaign_id == campaign.id,
        Signature.status == SignatureStatus.CONFIRMED,
        Signature.suspect.is_(False),
    )


def confirmed_counts_by_country(campaign: Campaign) -> dict[str, int]:
    """Confirmed online signatures plus paper ones whose country was noted, by country."""
    rows = db.session.execute(
        select(Signature.country, func.count())
        .where(*_counted(campaign))
        .group_by(Signature.country)
    )
    counts = {country: int(n) for country, n in rows}
    for country, n in _paper_by_country(campaign).items():
        if country != UNKNOWN_COUNTRY:
            counts[country] = counts.get(country, 0) + n
    return counts


def _paper_by_country(campaign: Campaign) -> dict[str, int]:
    rows = db.session.execute(
        select(OfflineBatchCountry.country, func.sum(OfflineBatchCountry.count))
        .join(OfflineBatch, OfflineBatch.id == OfflineBatchCountry.batch_id)
        .where(OfflineBatch.campaign_id == campaign.id)
        .group_by(OfflineBatchCountry.country)
    )
    return {country: int(n) for country, n in rows}


def counts_by_revision(campaign: Campaign, countries: Iterable[str]) -> list[dict[str, Any]]:
    """Confirmed online signers in ``countries`` per revision signed, newest first, each with
    its hash: a letter says which text each of them read (DESIGN.md decision 3)."""
    wanted = sorted(set(countries))
    if not wanted:
        return []
    rows = db.session.execute(
        select(Revision.number, Revision.content_hash, func.count())
        .select_from(Signature)
        .join(Revision, Revision.id == Signature.revision_id)
        .where(*_counted(campaign), Signature.country.in_(wanted))
        .group_by(Revision.number, Revision.content_hash)
        .order_by(Revision.number.desc())
    )
    return [
        {"number": int(number), "content_hash": digest, "signers": int(n)}
        for number, digest, n in rows
    ]


def unrouted_paper_total(campaign: Campaign) -> int:
    """Paper signatures whose country nobody noted: in the total, never for a jurisdiction."""
    return _paper_by_country(campaign).get(UNKNOWN_COUNTRY, 0)


def confirmed_total(campaign: Campaign) -> int:
    return int(db.session.scalar(select(func.count()).where(*_counted(campaign))) or 0)


def offline_total(campaign: Campaign) -> int:
    total = db.session.scalar(
        select(func.sum(OfflineBatch.count)).where(OfflineBatch.campaign_id == campaign.id)
    )
    return int(total or 0)


@dataclass(frozen=True)
class AnnexRow:
    name: str
    country: str
    postal_area: str
    signed_on: date | None = None


def postal_area(code: str | None) -> str:
    """The outward part of a postcode (SW1A of SW1A 1AA): a place, never an address."""
    if not code:
        return ""
    code = code.strip().upper()
    return code.split()[0] if " " in code else code[:3]


def annex_rows(campaign: Campaign, countries: Iterable[str]) -> Iterator[AnnexRow]:
    """Signers in ``countries`` who consented to be named to the authorities, by id."""
    wanted = sorted(set(countries))
    last_id = 0
    while wanted:
        # Chunks by id rather than one open cursor, so that callers may flush in between.
        chunk = db.session.execute(
            select(Signature.id, Signature.name, Signature.country, Signature.postal_code,
                   Signature.confirmed_at)
            .where(*_counted(campaign), Signature.country.in_(wanted),
                   consented(Purpose.NAME_TO_AUTHORITIES), Signature.id > last_id)
            .order_by(Signature.id)
            .limit(ANNEX_BATCH)
        ).all()  # fmt: skip
        if not chunk:
            return
        for signature_id, name, country, code, confirmed_at in chunk:
            yield AnnexRow(
                name=name,
                country=country,
                postal_area=postal_area(code),
                signed_on=confirmed_at.date() if confirmed_at else None,
            )
            last_id = signature_id


def named_count(campaign: Campaign, countries: Iterable[str]) -> int:
    wanted = sorted(set(countries))
    if not wanted:
        return 0
    return int(
        db.session.scalar(
            select(func.count()).where(
                *_counted(campaign),
                Signature.country.in_(wanted),
                consented(Purpose.NAME_TO_AUTHORITIES),
            )
        )
        or 0
    )


def update_recipients(campaign: Campaign) -> Iterator[Signature]:
    """Confirmed signers who opted into updates about the campaign, in chunks by id."""
    last_id = 0
    while True:
        chunk = db.session.scalars(
            select(Signature)
            .where(*_counted(campaign), consented(Purpose.UPDATES),
                   Signature.id > last_id)
            .order_by(Signature.id)
            .limit(ANNEX_BATCH)
        ).all()  # fmt: skip
        if not chunk:
            return
        yield from chunk
        last_id = chunk[-1].id


def update_recipient_count(campaign: Campaign) -> int:
    """How many signers ``update_recipients`` would yield: the number a preview announces."""
    return int(
        db.session.scalar(
            select(func.count()).where(*_counted(campaign), consented(Purpose.UPDATES))
        )
        or 0
    )
