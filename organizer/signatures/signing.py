"""Signing: a pending signature and its confirmation email, or a re-send, never a duplicate.

The sign POST is the hot path (issue 7 load-tests it). A first signature takes
:func:`organizer.signatures.first.sign`: one ``INSERT … ON CONFLICT DO NOTHING`` of the
signature and one of its outbox row, with no ORM objects. For an address that signed before,
that request only hands the attempt to a worker (:mod:`organizer.signatures.sign_again`), so
that neither its answer nor its timing tells a stranger who has signed; the worker decides
(:func:`sign_again`: re-send, already signed, signed again after withdrawing). The pledge
form and the tests take :func:`sign`, which does all of it at once. Counting happens later,
on confirmation.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from organizer.campaigns.models import Campaign, CampaignStatus, Revision
from organizer.extensions import db
from organizer.signatures import abuse
from organizer.signatures.canonical import Address
from organizer.signatures.consents import record_new, set_consents, set_partner_consents
from organizer.signatures.mailing import email_signer
from organizer.signatures.models import (
    Commitment,
    CommitmentStatus,
    Pledge,
    PledgeStatus,
    Signature,
    SignatureStatus,
)
from organizer.signatures.tokens import new_confirmation_token
from organizer.urls import external_url


class Outcome(enum.StrEnum):
    CREATED = "created"
    RESENT = "resent"
    ALREADY_SIGNED = "already-signed"
    SUSPECT = "suspect"
    CAPPED = "capped"  # too many confirmation emails for this address already
    IGNORED = "ignored"  # invalidated by a moderator: stays so
    DEFERRED = "deferred"  # on file: a worker decides which of the above it is


@dataclass(frozen=True)
class Signer:
    name: str
    address: Address
    country: str
    postal_code: str | None
    locale: str
    # The consents.Purpose values whose box was ticked.
    consents: frozenset[str] = field(default_factory=frozenset)
    ip: str | None = None
    honeypot: str = ""
    # The solved proof-of-work challenge the form carried, if it was asked for one.
    solution: str = ""
    # A registered source code (organizer.sources), or None.
    source: str | None = None


def is_open(campaign: Campaign) -> bool:
    return campaign.status == CampaignStatus.PUBLISHED and campaign.is_public


@dataclass(frozen=True)
class Screening:
    """The abuse verdict on one attempt, taken once: checking counts toward the limits."""

    ip_key: str | None
    reason: str | None


def screen(campaign_id: int, signer: Signer) -> Screening:
    ip_key = abuse.ip_hmac(signer.ip)
    reason = abuse.suspect_reason(
        campaign_id, ip_key, signer.address.domain, signer.honeypot, signer.solution
    )
    return Screening(ip_key, reason)


def sign(
    campaign: Campaign,
    revision: Revision,
    signer: Signer,
    pledge: Pledge | None = None,
    screening: Screening | None = None,
) -> tuple[Outcome, Signature]:
    if screening is None:
        screening = screen(campaign.id, signer)
    ip_key, reason = screening.ip_key, screening.reason
    existing = db.session.scalar(
        select(Signature).where(
            Signature.campaign_id == campaign.id,
            Signature.canonical_email == signer.address.canonical,
        )
    )
    if existing is None:
        signature = _create(campaign, revision, signer, ip_key, reason)
        if pledge is not None:
            _commit_to(pledge, signature)
        if reason:
            return Outcome.SUSPECT, signature
        _send_confirmation(signature, [pledge.text] if pledge is not None else [])
        return Outcome.CREATED, signature
    return _sign_again(existing, revision.id, signer, pledge, reason), existing


def sign_again(
    campaign_id: int, revision_id: int, signer: Signer, requested_at: datetime
) -> Outcome | None:
    """What signing again means for the signature on file (run by a worker); None when
    there is none older than the request: it was erased since, or the task is stale."""
    existing = db.session.scalar(
        select(Signature).where(
            Signature.campaign_id == campaign_id,
            Signature.canonical_email == signer.address.canonical,
            Signature.created_at <= requested_at,
        )
    )
    if existing is None:
        return None
    # The request screened the attempt already, and hands on only unsuspected ones.
    return _sign_again(existing, revision_id, signer, None, None)


def signer_payload(signer: Signer) -> dict[str, Any]:
    """The signer as JSON for a task; the request's IP stays behind (its HMAC did the
    screening), and so do the honeypot and the challenge's solution."""
    payload = asdict(signer)
    payload["consents"] = sorted(signer.consents)
    for dropped in ("ip", "honeypot", "solution"):
        del payload[dropped]
    return payload


def signer_from_payload(payload: dict[str, Any]) -> Signer:
    return Signer(
        **{
            **payload,
            "address": Address(**payload["address"]),
            "consents": frozenset(payload["consents"]),
        }
    )


def _create(
    campaign: Campaign, revision: Revision, signer: Signer, ip_key: str | None, reason: str | None
) -> Signature:
    signature = Signature(
        campaign_id=campaign.id,
        revision_id=revision.id,
        ip_hmac=ip_key,
        suspect=reason is not None,
        suspect_reason=reason,
        confirmation_sends=0,
        source=signer.source,
    )
    _fill(signature, signer)
    db.session.add(signature)
    db.session.flush()
    record_new(signature, sorted(signer.consents))
    return signature


def signer_columns(signer: Signer) -> dict[str, Any]:
    """The signature's columns that come from the form (its consents are rows of their own)."""
    return {
        "name": signer.name,
        "email": signer.address.email,
        "canonical_email": signer.address.canonical,
        "email_domain": signer.address.domain,
        "country": signer.country,
        "postal_code": signer.postal_code or None,
        "locale": signer.locale,
        "source": signer.source,
    }


def _fill(signature: Signature, signer: Signer) -> None:
    for column, value in signer_columns(signer).items():
        # Signing again keeps the first signature's source: the per-source numbers count
        # where people first came from, not the last link they followed.
        if column != "source":
            setattr(signature, column, value)


def _sign_again(
    signature: Signature,
    revision_id: int,
    signer: Signer,
    pledge: Pledge | None,
    reason: str | None,
) -> Outcome:
    if signature.status == SignatureStatus.INVALIDATED:
        return Outcome.IGNORED
    if reason or signature.suspect:
        # Nothing is mailed for a suspect, whatever it is: a flood must not become spam.
        return Outcome.SUSPECT
    if signature.confirmation_sends > current_app.config["SIGNATURE_MAX_RESENDS"]:
        return Outcome.CAPPED
    if signature.status == SignatureStatus.WITHDRAWN:
        # Signing again after withdrawing is allowed: a fresh pending signature, same row.
        _fill(signature, signer)
        set_consents(signature, signer.consents)
        set_partner_consents(signature, signer.consents)
        signature.revision_id = revision_id
        signature.status = SignatureStatus.PENDING
        signature.withdrawn_at = None
        signature.confirmed_at = signature.confirmed_day = None
    pending_commitment = pledge is not None and _commit_to(pledge, signature)
    if signature.status == SignatureStatus.CONFIRMED and not pending_commitment:
        signature.confirmation_sends += 1
        email_signer(signature, "signature_already", {"campaign": signature.campaign})
        return Outcome.ALREADY_SIGNED
    _send_confirmation(signature)
    return Outcome.RESENT


def _commit_to(pledge: Pledge, signature: Signature) -> bool:
    """A pending commitment for the signature; True when it needs confirming."""
    if pledge.status != PledgeStatus.OPEN:
        return False
    commitment = db.session.scalar(
        select(Commitment).where(
            Commitment.pledge_id == pledge.id, Commitment.signature_id == signature.id
        )
    )
    if commitment is None:
        db.session.add(Commitment(pledge_id=pledge.id, signature_id=signature.id))
        db.session.flush()
        return True
    if commitment.status == CommitmentStatus.WITHDRAWN:
        commitment.status = CommitmentStatus.PENDING
        commitment.confirmed_at = None
    return commitment.status == CommitmentStatus.PENDING


def send_confirmation(signature: Signature) -> None:
    """(Re)send the confirmation link, e.g. once a moderator clears a suspect."""
    _send_confirmation(signature)


def _send_confirmation(signature: Signature, pledges: list[str] | None = None) -> None:
    token = new_confirmation_token(signature)
    signature.confirmation_sends += 1
    if pledges is None:
        pledges = _pending_pledges(signature)
    email_signer(
        signature,
        "signature_confirm",
        {
            "campaign": signature.campaign,
            "confirm_url": external_url("signatures.confirm", token=token),
            "pledges": pledges,
            "days": current_app.config["SIGNATURE_TOKEN_MAX_AGE_DAYS"],
        },
    )


def _pending_pledges(signature: Signature) -> list[str]:
    return list(
        db.session.scalars(
            select(Pledge.text)
            .join(Commitment, Commitment.pledge_id == Pledge.id)
            .where(
                Commitment.signature_id == signature.id,
                Commitment.status == CommitmentStatus.PENDING,
            )
        )
    )
