"""A campaign worth attacking: text, signatures, an event with guests, letters, an outsider.

Its ids, slug and tokens go into paths some of the time, so that hostile fields reach the
views behind real objects, and not only their 404s.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import select

from organizer.campaigns.models import Demand, Section
from organizer.extensions import db
from organizer.letters import directory, services
from organizer.mail.models import OutboundEmail
from organizer.signatures import counting
from organizer.signatures.tokens import new_confirmation_token
from tests.events.conftest import confirmed_guest
from tests.factories import EventFactory, UserFactory
from tests.letters.conftest import build_campaign, seed_signers
from tests.signatures.conftest import confirm_now, sign


@dataclass
class Seeded:
    emails: dict[str, str]
    ids: dict[str, list[int]] = field(default_factory=dict)
    strings: dict[str, list[str]] = field(default_factory=dict)


def seed(app: Flask) -> Seeded:
    with app.app_context():
        directory.import_bundled()
        owner = UserFactory(display_name="Olive Owner")
        outsider = UserFactory(display_name="Otto Outsider")
        campaign = build_campaign(owner, slug="strike")
        seed_signers(campaign)
        _, confirmed = sign(campaign, "ada@example.org")
        confirm_now(confirmed)
        _, pending = sign(campaign, "bob@example.org", name="Bob")
        event = EventFactory(campaign=campaign, host=owner, capacity=3)
        guest = confirmed_guest(event, "guest@example.org", party_size=2)
        letters = services.write_letters(services.preview(campaign), owner)
        # Signatures written straight to the table are not journaled: start from true counts.
        counting.reconcile([campaign.id])
        db.session.commit()
        seeded = Seeded(
            emails={"owner": owner.email, "outsider": outsider.email},
            ids={
                "event_id": [event.id],
                "guest_id": [guest.id],
                "letter_id": [letter.id for letter in letters[:2]],
                "signature_id": [confirmed.id, pending.id],
                "section_id": list(db.session.scalars(select(Section.id).limit(2))),
                "demand_id": list(db.session.scalars(select(Demand.id).limit(2))),
                "message_id": list(db.session.scalars(select(OutboundEmail.id).limit(2))),
                "number": [1],
            },
            strings={
                "slug": [campaign.slug],
                "token": [new_confirmation_token(pending)],
                "kind": ["pdf", "discussion", "letter"],
            },
        )
        db.session.commit()
        return seeded
