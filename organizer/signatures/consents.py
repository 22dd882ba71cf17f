"""What a signer agreed to, one row per purpose, and the queries that honour it.

Readers ask :func:`consented` (in SQL) or :func:`has_consent` (on a loaded signature);
nobody reads the rows' columns directly, so a withdrawn consent is never mistaken for one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, exists, select, update

from organizer.db import utcnow
from organizer.extensions import db
from organizer.partners.models import Partner, PartnerStatus
from organizer.signatures.models import Signature, SignatureConsent


class Purpose(StrEnum):
    PUBLIC_LIST = "public_list"
    UPDATES = "updates"
    NAME_TO_AUTHORITIES = "name_to_authorities"
    # Coalition partners add "partner:<id>" purposes; the column is a plain string for them.


# The version of each consent's wording; bump it whenever the text in forms.py changes.
TEXT_VERSIONS: dict[str, str] = {
    Purpose.PUBLIC_LIST: "show-name-2024-1",
    # 2026-2: the box names the campaign's group ("Send me updates from <group>").
    Purpose.UPDATES: "updates-2026-2",
    Purpose.NAME_TO_AUTHORITIES: "name-to-authorities-2026-1",
}


PARTNER_PREFIX = "partner:"


def text_version(purpose: str) -> str:
    if is_partner_purpose(purpose):
        version = db.session.scalar(
            select(Partner.consent_text_version).where(Partner.id == partner_id(purpose))
        )
        if version is None:
            raise KeyError(purpose)
        return version
    return TEXT_VERSIONS[purpose]


def is_partner_purpose(purpose: str) -> bool:
    return str(purpose).startswith(PARTNER_PREFIX)


def partner_id(purpose: str) -> int | None:
    number = str(purpose).removeprefix(PARTNER_PREFIX)
    return int(number) if number.isdigit() and len(number) < 12 else None


def active_partner_versions(campaign_id: int | None, purposes: Iterable[str]) -> dict[str, str]:
    """The wording version of each partner purpose that belongs to an active partner of
    the campaign: a form (or a forged POST) cannot give consent to anyone else."""
    ids = {partner_id(p) for p in purposes if is_partner_purpose(p)} - {None}
    if campaign_id is None or not ids:
        return {}
    rows = db.session.execute(
        select(Partner.id, Partner.consent_text_version).where(
            Partner.id.in_(ids),
            Partner.campaign_id == campaign_id,
            Partner.status == PartnerStatus.ACTIVE,
        )
    )
    return {f"{PARTNER_PREFIX}{id_}": version for id_, version in rows}


def consented(purpose: str) -> ColumnElement[bool]:
    """True for a signature holding a standing (given, not withdrawn) consent to ``purpose``."""
    return exists().where(
        SignatureConsent.signature_id == Signature.id,
        SignatureConsent.purpose == str(purpose),
        SignatureConsent.withdrawn_at.is_(None),
    )


def has_consent(signature: Signature, purpose: str) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    SignatureConsent.signature_id == signature.id,
                    SignatureConsent.purpose == str(purpose),
                    SignatureConsent.withdrawn_at.is_(None),
                )
            )
        )
    )


def standing(signature: Signature) -> set[str]:
    """The purposes the signature currently consents to."""
    return set(
        db.session.scalars(
            select(SignatureConsent.purpose).where(
                SignatureConsent.signature_id == signature.id,
                SignatureConsent.withdrawn_at.is_(None),
            )
        )
    )


def consent_rows(
    signature_id: int, purposes: Iterable[str], at: datetime, campaign_id: int | None = None
) -> list[dict[str, Any]]:
    """Rows for a fresh signature's consents, as the fast path inserts them. A partner's
    purpose is kept only for an active partner of ``campaign_id``."""
    purposes = [str(p) for p in purposes]
    partners = active_partner_versions(campaign_id, purposes)
    return [
        {
            "signature_id": signature_id,
            "purpose": purpose,
            "text_version": partners.get(purpose) or TEXT_VERSIONS[purpose],
            "given_at": at,
            "withdrawn_at": None,
        }
        for purpose in purposes
        if not is_partner_purpose(purpose) or purpose in partners
    ]


def record_new(signature: Signature, purposes: Iterable[str]) -> None:
    """A new signature's consents, given when it was made."""
    at = signature.created_at or utcnow()
    rows = consent_rows(signature.id, purposes, at, signature.campaign_id)
    db.session.add_all(SignatureConsent(**row) for row in rows)
    db.session.flush()


def grant(signature: Signature, purpose: str) -> None:
    """Give (or give again) a consent, recorded with the wording shown now."""
    row = _row(signature, purpose)
    if row is None:
        db.session.add(
            SignatureConsent(
                signature_id=signature.id,
                purpose=str(purpose),
                text_version=text_version(purpose),
                given_at=utcnow(),
            )
        )
    elif row.withdrawn_at is not None:
        row.text_version = text_version(purpose)
        row.given_at = utcnow()
        row.withdrawn_at = None
    db.session.flush()


def withdraw(signature: Signature, purpose: str) -> bool:
    """Withdraw a standing consent; False when there was none to withdraw."""
    result = db.session.execute(
        update(SignatureConsent)
        .where(
            SignatureConsent.signature_id == signature.id,
            SignatureConsent.purpose == str(purpose),
            SignatureConsent.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def set_consents(signature: Signature, wanted: Iterable[str]) -> None:
    """Make the signature's standing consents among ``Purpose`` exactly ``wanted``."""
    wanted = {str(p) for p in wanted}
    for purpose in Purpose:
        if purpose in wanted:
            grant(signature, purpose)
        else:
            withdraw(signature, purpose)


def set_partner_consents(signature: Signature, wanted: Iterable[str]) -> None:
    """Signing again: each active partner's line is as ticked now. Consents given to a
    partner that has left the coalition since stay as they were."""
    wanted = {str(p) for p in wanted}
    active = select(Partner.id).where(
        Partner.campaign_id == signature.campaign_id, Partner.status == PartnerStatus.ACTIVE
    )
    for id_ in db.session.scalars(active):
        purpose = f"{PARTNER_PREFIX}{id_}"
        if purpose in wanted:
            grant(signature, purpose)
        else:
            withdraw(signature, purpose)


def _row(signature: Signature, purpose: str) -> SignatureConsent | None:
    return db.session.scalar(
        select(SignatureConsent).where(
            SignatureConsent.signature_id == signature.id,
            SignatureConsent.purpose == str(purpose),
        )
    )
