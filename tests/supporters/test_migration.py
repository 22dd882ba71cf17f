"""Migrations 0018 (supporters from the confirmed actions of before) and 0021 (the
suppression list's answer on each supporter row), on both databases."""

from __future__ import annotations

import uuid
from datetime import timedelta

import flask_migrate
import pytest
from sqlalchemy import select

from organizer.campaigns.revisions import published_revision
from organizer.db import utcnow
from organizer.events.models import RSVP, RSVPStatus
from organizer.extensions import db
from organizer.mail.models import Suppression, SuppressionReason
from organizer.signatures.consents import withdraw
from organizer.signatures.models import (
    Commitment,
    CommitmentStatus,
    Pledge,
    Signature,
    SignatureStatus,
)
from organizer.supporters.audience import Audience, count
from organizer.supporters.models import ConsentEvent, Supporter
from tests.factories import (
    EventFactory,
    GroupFactory,
    SignatureFactory,
    SupporterFactory,
    UserFactory,
)
from tests.signatures.conftest import make_campaign


@pytest.fixture(params=["postgresql", "sqlite"])
def old_app(request, services, make_app, tmp_path):
    """A database at head; the test seeds it, then takes it back to 0017, where the actions
    exist and the supporters do not yet (seeding at 0017 through today's models would need
    every later column)."""
    if request.param == "postgresql":
        url = services.postgres.create_database(f"cahier_0018_{uuid.uuid4().hex[:8]}")
    else:
        url = f"sqlite:///{tmp_path / 'old.db'}"
    app = make_app({"TESTING": True}, DATABASE_URL=url)
    with app.app_context():
        flask_migrate.upgrade()
    return app


def _seed():
    now = utcnow()
    campaign = make_campaign(UserFactory(), slug="old-campaign")
    revision = published_revision(campaign)

    def signature(email, status=SignatureStatus.CONFIRMED, **extra):
        extra.setdefault("confirmed_at", now - timedelta(days=3))
        return SignatureFactory(
            campaign=campaign, revision=revision, email=email, status=status, **extra
        )

    subscribed = signature("yes@example.org", receive_updates=True, postal_code="75004",
                           country="FR", name="Yes Person")  # fmt: skip
    stopped = signature("stop@example.org", receive_updates=True)
    withdraw(stopped, "updates")  # "stop updates" on the manage page
    quiet = signature("quiet@example.org")
    signature("pending@example.org", status=SignatureStatus.PENDING, confirmed_at=None)
    signature("withdrawn@example.org", status=SignatureStatus.WITHDRAWN, receive_updates=True)
    signature("invalid@example.org", status=SignatureStatus.INVALIDATED)
    signature("suspect@example.org", suspect=True, suspect_reason="honeypot")
    pledge = Pledge(campaign_id=campaign.id, text="Strike", threshold=3,
                    deadline=(now + timedelta(days=9)).date())  # fmt: skip
    db.session.add(pledge)
    db.session.flush()
    commitment = Commitment(pledge_id=pledge.id, signature_id=quiet.id,
                            status=CommitmentStatus.CONFIRMED, confirmed_at=now)  # fmt: skip
    db.session.add(commitment)
    event = EventFactory(campaign=campaign)
    guests = {
        "same": RSVP(event_id=event.id, name="Yes P.", email="yes@example.org",
                     status=RSVPStatus.GOING, confirmed_at=now - timedelta(days=1)),
        "new": RSVP(event_id=event.id, name="Gina Guest", email="g.ina+x@gmail.com",
                    status=RSVPStatus.GOING, confirmed_at=now, locale="fr"),
        "host": RSVP(event_id=event.id, name="Added", email="added@example.org",
                     status=RSVPStatus.GOING, confirmed_at=now, added_by_host=True),
        "pending": RSVP(event_id=event.id, name="P", email="p@example.org",
                        status=RSVPStatus.PENDING),
    }  # fmt: skip
    db.session.add_all(guests.values())
    db.session.commit()
    return {
        "group": campaign.group_id, "subscribed": subscribed.id, "stopped": stopped.id,
        "quiet": quiet.id, "commitment": commitment.id,
        **{f"rsvp_{k}": v.id for k, v in guests.items()},
    }  # fmt: skip


def test_0018_makes_supporters_of_confirmed_actions_with_their_consents(old_app):
    with old_app.app_context():
        ids = _seed()
        db.session.remove()
        flask_migrate.downgrade(revision="0017")
        flask_migrate.upgrade()
        supporters = {
            s.canonical_email: s
            for s in db.session.scalars(select(Supporter).where(Supporter.group_id == ids["group"]))
        }
        assert set(supporters) == {
            "yes@example.org", "stop@example.org", "quiet@example.org", "gina@gmail.com",
        }  # fmt: skip
        yes, stop, quiet = (supporters[f"{n}@example.org"] for n in ("yes", "stop", "quiet"))
        assert (yes.status, stop.status, quiet.status) == (
            "subscribed", "unsubscribed", "unsubscribed",
        )  # fmt: skip
        assert (yes.name, yes.country, yes.postal_code) == ("Yes Person", "FR", "75004")
        assert len({s.public_id for s in supporters.values()}) == 4
        assert all(len(s.public_id) == 36 for s in supporters.values())
        # The RSVP is a later action of the same person: it moves their last action on.
        assert yes.last_action_at > yes.created_at
        gina = supporters["gina@gmail.com"]
        assert (gina.name, gina.language, gina.status) == ("Gina Guest", "fr", "unsubscribed")

        def events(supporter):
            return [
                (e.granted, e.source_type)
                for e in db.session.scalars(
                    select(ConsentEvent)
                    .where(ConsentEvent.supporter_id == supporter.id)
                    .order_by(ConsentEvent.at, ConsentEvent.id)
                )
            ]

        assert events(yes) == [(True, "signature")]
        assert events(stop) == [(True, "signature"), (False, "manage")]
        assert events(quiet) == []

        assert db.session.get(Signature, ids["subscribed"]).supporter_id == yes.id
        assert db.session.get(Commitment, ids["commitment"]).supporter_id == quiet.id
        assert db.session.get(RSVP, ids["rsvp_same"]).supporter_id == yes.id
        assert db.session.get(RSVP, ids["rsvp_new"]).supporter_id == gina.id
        assert db.session.get(RSVP, ids["rsvp_host"]).supporter_id is None
        assert db.session.get(RSVP, ids["rsvp_pending"]).supporter_id is None
        db.session.remove()


def test_0021_flags_the_supporters_the_suppression_list_already_held(old_app):
    with old_app.app_context():
        here, there = GroupFactory(), GroupFactory()
        rows = {
            "complained": SupporterFactory(group=here, email="Ada@Example.org"),
            "complained_elsewhere": SupporterFactory(group=there, email="ada@example.org"),
            "bounced": SupporterFactory(group=there, email="gone@example.org"),
            "fine": SupporterFactory(group=here, email="bea@example.org"),
            "erased": SupporterFactory(group=here, email=None, canonical_email=None,
                                       erased_at=utcnow()),
        }  # fmt: skip
        db.session.add_all([
            Suppression(email="ada@example.org", group_id=here.id,
                        reason=SuppressionReason.COMPLAINT),
            Suppression(email="gone@example.org", group_id=None,
                        reason=SuppressionReason.HARD_BOUNCE),
        ])  # fmt: skip
        db.session.commit()
        ids = {name: row.id for name, row in rows.items()}
        groups = here.id, there.id
        db.session.remove()
        flask_migrate.downgrade(revision="0020")
        flask_migrate.upgrade()
        flags = dict(db.session.execute(select(Supporter.id, Supporter.suppressed)).all())
        assert {name: flags[i] for name, i in ids.items()} == {
            "complained": True, "complained_elsewhere": False, "bounced": True,
            "fine": False, "erased": False,
        }  # fmt: skip
        assert [count(g, Audience()) for g in groups] == [1, 1]
        db.session.remove()
