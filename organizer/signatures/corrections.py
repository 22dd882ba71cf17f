"""A signer corrects their name, country or postal code from the manage page.

The email is not among them: it is who signed, and what the one-signature-per-address rule
compares. A counted signature that moves country moves in the per-country counts too, so the
change is an UPDATE guarded by the state it was read in, journaled only when it matched.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

from organizer.db import utcnow
from organizer.extensions import db
from organizer.signatures import counting
from organizer.signatures.models import Signature


@dataclass(frozen=True)
class Details:
    name: str
    country: str
    postal_code: str | None


def correct(signature: Signature, details: Details) -> list[str]:
    """The names of the fields that changed (none when the UPDATE lost a race)."""
    wanted = {
        "name": details.name,
        "country": details.country,
        "postal_code": details.postal_code or None,
    }
    changed = {k: v for k, v in wanted.items() if getattr(signature, k) != v}
    if not changed:
        return []
    counted, old_country = signature.is_counted, signature.country
    result = db.session.execute(
        update(Signature)
        .where(
            Signature.id == signature.id,
            Signature.status == signature.status,
            Signature.suspect == signature.suspect,
            Signature.country == old_country,
        )
        .values(updated_at=utcnow(), **changed)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return []
    if counted and "country" in changed:
        day = signature.confirmed_day or utcnow().date()
        counting.record_changes(
            signature.campaign_id, {(old_country, day): -1, (details.country, day): +1}
        )
    db.session.refresh(signature)
    return sorted(changed)
