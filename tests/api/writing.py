"""What the write tests share: a group with a published petition and a screening, tokens
of each scope, and requests in the shape Action Network documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from organizer.extensions import db
from organizer.mail.models import OutboundEmail
from tests.api.conftest import make_token
from tests.campaigns.conftest import setup
from tests.factories import EventFactory, UserFactory
from tests.signatures.conftest import make_campaign

CONSENT = {"text": "Yes, send me news of the Riders' Union by email.", "date": "2026-03-01"}


@dataclass(frozen=True)
class World:
    group_id: int
    petition: str  # public ids
    event: str
    write: str  # tokens
    importer: str
    reader: str


def make_world(app: Any, capacity: int = 2) -> World:
    with setup(app):
        campaign = make_campaign(UserFactory(display_name="Olive Owner"))
        event = EventFactory(campaign=campaign, capacity=capacity)
        ids = campaign.group_id, campaign.public_id, event.public_id
    group_id, petition, event_id = ids
    return World(
        group_id=group_id,
        petition=petition,
        event=event_id,
        write=make_token(app, group_id, "write", label="CRM sync"),
        importer=make_token(app, group_id, "import", label="Old list import"),
        reader=make_token(app, group_id, "read", label="Reports"),
    )


def send(client: Any, method: str, path: str, token: str, body: Any = None, **kw: Any) -> Any:
    headers = {"OSDI-API-Token": token, **kw.pop("headers", {})}
    if isinstance(body, (bytes, str)):
        return client.open(f"/api/v2{path}", method=method, headers=headers, data=body, **kw)
    return client.open(f"/api/v2{path}", method=method, headers=headers, json=body, **kw)


def person(email: str, **fields: Any) -> dict[str, Any]:
    """An OSDI person hash."""
    status = fields.pop("status", None)
    address: dict[str, Any] = {"address": email}
    if status is not None:
        address["status"] = status
    return {"email_addresses": [address], "custom_fields": {}, **fields}


def mails_to(app: Any, address: str) -> list[str]:
    """The kinds of the outbox rows queued for the address."""
    with app.app_context():
        return list(
            db.session.scalars(
                select(OutboundEmail.kind)
                .where(OutboundEmail.to_addr == address)
                .order_by(OutboundEmail.id)
            )
        )
