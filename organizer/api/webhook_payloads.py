"""What a webhook carries: the changed resource as the API shows it (organizer.api
serializers), with the person embedded, as Action Network's webhooks do."""

from __future__ import annotations

from typing import Any

from organizer.api import serializers
from organizer.events.models import RSVP
from organizer.extensions import db
from organizer.signatures.models import Signature
from organizer.supporters.models import Supporter


def _person_of(supporter_id: int | None) -> dict[str, Any]:
    supporter = db.session.get(Supporter, supporter_id) if supporter_id is not None else None
    if supporter is None or supporter.erased_at is not None:
        return {}
    return {"person": serializers.person(supporter)}


def signature(sig: Signature) -> dict[str, Any]:
    return {"osdi:signature": {**serializers.signature(sig), **_person_of(sig.supporter_id)}}


def attendance(guest: RSVP) -> dict[str, Any]:
    """A guest a host added is no supporter, and gave no consent: no person is sent."""
    return {"osdi:attendance": {**serializers.attendance(guest), **_person_of(guest.supporter_id)}}


def person(supporter: Supporter) -> dict[str, Any]:
    return {"osdi:person": serializers.person(supporter)}
