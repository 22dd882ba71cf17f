"""Every email to a signer goes through here, so that each carries the manage link and the
non-transactional ones (updates, milestones) carry RFC 8058 one-click unsubscribe headers."""

from __future__ import annotations

from typing import Any

from organizer.mail.models import OutboundEmail
from organizer.mail.services import queue_email
from organizer.signatures.models import Signature
from organizer.signatures.tokens import manage_token, manage_token_for, unsubscribe_token
from organizer.urls import external_url


def manage_url(signature: Signature) -> str:
    return external_url("privacy.manage", token=manage_token(signature))


def manage_url_for(signature_id: int, canonical_email: str) -> str:
    return external_url("privacy.manage", token=manage_token_for(signature_id, canonical_email))


def unsubscribe_url(signature: Signature) -> str:
    return external_url("privacy.unsubscribe", token=unsubscribe_token(signature))


def email_signer(
    signature: Signature,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    updates: bool = False,
    idempotency_key: str | None = None,
    related: tuple[str, int] | None = None,
) -> OutboundEmail:
    values = {**(context or {}), "signature": signature, "manage_url": manage_url(signature)}
    headers = None
    if updates:
        link = unsubscribe_url(signature)
        values["unsubscribe_url"] = link
        headers = {
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    return queue_email(
        to=signature.email,
        template=template,
        locale=signature.locale,
        context=values,
        headers=headers,
        idempotency_key=idempotency_key,
        related=related or ("signature", signature.id),
    )
