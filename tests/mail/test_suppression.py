"""Supporter.suppressed follows the suppression list, on PostgreSQL and on SQLite: the
audience counts by the flag alone, so every way a row or an address changes keeps it."""

from __future__ import annotations

import hashlib

import psycopg
import pytest
from sqlalchemy import select

from organizer.campaigns.models import Revision
from organizer.db import utcnow
from organizer.extensions import db
from organizer.mail.models import SuppressionReason
from organizer.mail.suppression import is_suppressed, lift, suppress
from organizer.signatures import confirmation
from organizer.signatures.models import SignatureStatus
from organizer.signatures.tokens import new_confirmation_token
from organizer.supporters.audience import Audience, count
from organizer.supporters.backfill import from_campaign
from organizer.supporters.erase import erase
from organizer.supporters.models import Supporter
from organizer.supporters.services import record_action
from tests.factories import CampaignFactory, GroupFactory, SignatureFactory, SupporterFactory


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request):
    """An app context on the test PostgreSQL (rolled back) or on a migrated SQLite copy."""
    if request.param == "postgresql":
        request.getfixturevalue("ctx")
        yield "postgresql"
        return
    lite = request.getfixturevalue("make_app")(
        {"TESTING": True}, DATABASE_URL=request.getfixturevalue("migrated_sqlite_url")
    )
    with lite.app_context():
        assert db.engine.dialect.name == "sqlite"
        yield "sqlite"
        db.session.remove()


def stored(supporter):
    """The flag as the database holds it, not as the session remembers it."""
    return db.session.scalar(select(Supporter.suppressed).where(Supporter.id == supporter.id))


def mailable(group):
    return count(group.id, Audience())


def join(group, email, updates=True):
    return record_action(
        group_id=group.id, email=email, canonical_email=email.lower(), name="Someone",
        country="FR", postal_code=None, language="fr", source_type="import", source_id=1,
        updates=updates, text_version="v1",
    )  # fmt: skip


def test_a_group_suppression_flags_the_address_in_that_group_only(database):
    here, there = GroupFactory(), GroupFactory()
    ada_here = SupporterFactory(group=here, email="Ada@Example.org")
    ada_there = SupporterFactory(group=there, email="ada@example.org")
    bea = SupporterFactory(group=here)

    suppress("ada@example.org", SuppressionReason.COMPLAINT, group_id=here.id)

    assert (stored(ada_here), stored(ada_there), stored(bea)) == (True, False, False)
    # The session's own copy agrees, without a refresh.
    assert ada_here.suppressed is True
    assert (mailable(here), mailable(there)) == (1, 1)


def test_a_suppression_for_every_group_flags_the_address_in_each(database):
    first, second = GroupFactory(), GroupFactory()
    rows = [SupporterFactory(group=g, email="gone@example.org") for g in (first, second)]
    other = SupporterFactory(group=first)

    suppress("GONE@example.org ", SuppressionReason.HARD_BOUNCE)

    assert [stored(r) for r in rows] == [True, True] and stored(other) is False
    assert (mailable(first), mailable(second)) == (1, 0)


def test_lifting_clears_the_flag_once_no_row_applies(database):
    group = GroupFactory()
    ada = SupporterFactory(group=group, email="ada@example.org")
    suppress("ada@example.org", SuppressionReason.COMPLAINT, group_id=group.id)
    suppress("ada@example.org", SuppressionReason.HARD_BOUNCE)

    assert lift("ada@example.org") is True
    assert stored(ada) is True  # the group's own row still applies
    assert mailable(group) == 0
    assert lift("ada@example.org", group_id=group.id) is True
    assert stored(ada) is False and mailable(group) == 1
    assert lift("ada@example.org", group_id=group.id) is False


def test_a_supporter_who_joins_while_suppressed_is_flagged(database):
    group = GroupFactory()
    suppress("gone@example.org", SuppressionReason.HARD_BOUNCE)

    joined = join(group, "Gone@example.org")
    factory_made = SupporterFactory(group=GroupFactory(), email="gone@example.org")
    db.session.flush()

    assert joined.status == "subscribed"
    assert (stored(joined), stored(factory_made)) == (True, True)
    assert mailable(group) == 0


def test_a_changed_address_takes_the_flag_of_the_new_one(database):
    group = GroupFactory()
    suppress("gone@example.org", SuppressionReason.HARD_BOUNCE)
    ada = SupporterFactory(group=group, email="ada@example.org")
    db.session.flush()
    assert stored(ada) is False

    ada.email = "gone@example.org"
    db.session.flush()
    assert stored(ada) is True and mailable(group) == 0
    ada.email = "ada@example.org"
    db.session.flush()
    assert stored(ada) is False and mailable(group) == 1


def test_an_erased_supporter_loses_the_flag_and_signing_again_is_flagged(database):
    group = GroupFactory()
    ada = SupporterFactory(group=group, email="ada@example.org")
    suppress("ada@example.org", SuppressionReason.HARD_BOUNCE)
    assert stored(ada) is True

    erase(ada, None)
    db.session.flush()
    assert stored(ada) is False  # no address left to be suppressed

    again = join(group, "ada@example.org")
    assert again.id != ada.id and stored(again) is True
    assert mailable(group) == 0


def _revision(campaign):
    revision = Revision(campaign_id=campaign.id, number=1, snapshot={}, content_hash="c" * 64)
    db.session.add(revision)
    db.session.flush()
    return revision


def _pending(campaign, revision, email, *, updates):
    return SignatureFactory(campaign=campaign, revision_id=revision.id, email=email,
                            canonical_email=email, status=SignatureStatus.PENDING,
                            receive_updates=updates)  # fmt: skip


def _confirm(signature):
    token = new_confirmation_token(signature)
    db.session.flush()
    assert confirmation.confirm(token) is not None
    db.session.flush()


def test_confirming_a_new_consent_by_mail_lifts_the_bounces_only(ctx):
    """The confirmation link reached the address: its bounces no longer hold, everywhere.
    A complaint (the person's word about this group's mail) stays until lifted by hand."""
    campaign = CampaignFactory(status="published", first_published_at=utcnow())
    elsewhere = GroupFactory()
    there = SupporterFactory(group=elsewhere, email="back@example.org")
    suppress("back@example.org", SuppressionReason.HARD_BOUNCE)
    suppress("back@example.org", SuppressionReason.SOFT_BOUNCES, group_id=campaign.group_id)
    suppress("sore@example.org", SuppressionReason.COMPLAINT, group_id=campaign.group_id)
    assert stored(there) is True

    revision = _revision(campaign)
    _confirm(_pending(campaign, revision, "back@example.org", updates=True))
    _confirm(_pending(campaign, revision, "sore@example.org", updates=True))

    supporters = dict(db.session.execute(
        select(Supporter.email, Supporter.suppressed)
        .where(Supporter.group_id == campaign.group_id)
    ).all())  # fmt: skip
    assert supporters == {"back@example.org": False, "sore@example.org": True}
    assert stored(there) is False
    assert is_suppressed("sore@example.org", campaign.group_id)
    assert not is_suppressed("back@example.org", campaign.group_id)


def test_confirming_without_the_updates_consent_lifts_the_bounce_but_sends_nothing(ctx):
    campaign = CampaignFactory(status="published", first_published_at=utcnow())
    suppress("quiet@example.org", SuppressionReason.HARD_BOUNCE)

    _confirm(_pending(campaign, _revision(campaign), "quiet@example.org", updates=False))

    assert not is_suppressed("quiet@example.org", campaign.group_id)
    assert mailable(campaign.group) == 0  # no consent: unsubscribed


def test_supporters_inserted_in_bulk_are_flagged(database):
    campaign = CampaignFactory(status="published", first_published_at=utcnow())
    revision = Revision(campaign_id=campaign.id, number=1, snapshot={}, content_hash="b" * 64)
    db.session.add(revision)
    db.session.flush()
    for email in ("gone@example.org", "here@example.org"):
        SignatureFactory(campaign=campaign, revision_id=revision.id, email=email,
                         status=SignatureStatus.CONFIRMED, confirmed_at=utcnow(),
                         receive_updates=True)  # fmt: skip
    suppress("gone@example.org", SuppressionReason.HARD_BOUNCE)

    assert from_campaign(campaign.id) == 2
    flags = dict(
        db.session.execute(
            select(Supporter.email, Supporter.suppressed).where(
                Supporter.group_id == campaign.group_id
            )
        ).all()
    )
    assert flags == {"gone@example.org": True, "here@example.org": False}


def test_writing_an_address_holds_its_suppression_lock_until_commit(ctx, services):
    """A supporter written and a suppression of the same address in two transactions at
    once: the second waits for the first, so it reads the other's committed row."""
    SupporterFactory(group=GroupFactory(), email="race@example.org")
    db.session.flush()
    digest = hashlib.blake2b(b"suppression:race@example.org", digest_size=8).digest()
    key = int.from_bytes(digest, signed=True)
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as other:
        taken = other.execute("SELECT pg_try_advisory_xact_lock(%s)", (key,)).fetchone()
        free = other.execute("SELECT pg_try_advisory_xact_lock(%s)", (key + 1,)).fetchone()
    assert taken == (False,) and free == (True,)
