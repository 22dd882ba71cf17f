"""Every email to a signer goes through here, so that each carries the manage link and the
non-transactional ones (updates, milestones) carry RFC 8058 one-click unsubscribe headers
and honour the group's list and the suppression list (organizer.mail.policy)."""

from __future__ import annotations

from typing import Any

from organizer.mail.listmail import list_id, unsubscribe_address
from organizer.mail.models import OutboundEmail
from organizer.mail.policy import may_send_updates
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
) -> OutboundEmail | None:
    """Queue the email; with ``updates`` (not transactional) only when the group's list and
    the suppression list allow it, else None and nothing is queued."""
    values = {**(context or {}), "signature": signature, "manage_url": manage_url(signature)}
    headers = None
    if updates:
        group = signature.campaign.group
        if not may_send_updates(group.id, signature.email):
            return None
        link = unsubscribe_url(signature)
        values["unsubscribe_url"] = link
        targets = f"<{link}>"
        if signature.supporter_id is not None:
            targets += f", <mailto:{unsubscribe_address(signature.supporter_id)}>"
        headers = {
            "List-Unsubscribe": targets,
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": list_id(group, "updates"),
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
