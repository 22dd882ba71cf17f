from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from organizer.campaigns.models import Revision
from organizer.db import utcnow
from organizer.events.models import RSVPStatus
from organizer.extensions import db
from organizer.mail.models import SuppressionReason
from organizer.mail.suppression import suppress
from organizer.mailings.models import Mailing, MailingRecipient, RecipientStatus
from organizer.signatures.models import (
    Commitment,
    CommitmentStatus,
    Pledge,
    SignatureStatus,
)
from organizer.supporters.audience import (
    Audience,
    Condition,
    InvalidCondition,
    count,
    matching_ids,
)
from organizer.supporters.models import SupporterStatus, Tagging
from tests.factories import (
    CampaignFactory,
    EventFactory,
    GroupFactory,
    RSVPFactory,
    SignatureFactory,
    SupporterFactory,
    TagFactory,
)

pytestmark = pytest.mark.usefixtures("ctx")


def ids(group, audience=Audience(), **kwargs):
    return set(db.session.scalars(matching_ids(group.id, audience, **kwargs)))


def inc(*conditions):
    return Audience(includes=tuple(Condition(k, str(v)) for k, v in conditions))


def exc(*conditions):
    return Audience(excludes=tuple(Condition(k, str(v)) for k, v in conditions))


def revision(campaign, number=1):
    row = Revision(campaign_id=campaign.id, number=number, snapshot={}, content_hash="a" * 64)
    db.session.add(row)
    db.session.flush()
    return row


def sign(campaign, rev, supporter, status=SignatureStatus.CONFIRMED):
    return SignatureFactory(
        campaign=campaign,
        revision_id=rev.id,
        email=supporter.email,
        status=status,
        supporter_id=supporter.id,
    )


@pytest.fixture
def group():
    return GroupFactory()


def test_the_base_is_subscribed_not_erased_and_not_suppressed(group):
    ok = SupporterFactory(group=group)
    SupporterFactory(group=group, status=SupporterStatus.UNSUBSCRIBED)
    SupporterFactory(group=group, status=SupporterStatus.BOUNCING)
    SupporterFactory(group=group, status=SupporterStatus.COMPLAINED)
    SupporterFactory(group=group, erased_at=utcnow(), email=None, canonical_email=None)
    suppressed_here = SupporterFactory(group=group, email="Here@Example.org")
    suppressed_everywhere = SupporterFactory(group=group)
    other_group_row = SupporterFactory(group=group)
    suppress("here@example.org", SuppressionReason.COMPLAINT, group_id=group.id)
    suppress(suppressed_everywhere.email, SuppressionReason.HARD_BOUNCE)
    suppress(other_group_row.email, SuppressionReason.COMPLAINT, group_id=GroupFactory().id)
    SupporterFactory()  # another group's supporter

    assert ids(group) == {ok.id, other_group_row.id}
    assert count(group.id, Audience()) == 2
    assert len(ids(group, mailable_only=False)) == 8
    assert suppressed_here.id in ids(group, mailable_only=False)


def test_signers_of_a_campaign_and_of_a_revision(group):
    campaign = CampaignFactory(group=group)
    first, second = revision(campaign, 1), revision(campaign, 2)
    a, b, pending, withdrawn, _ = (SupporterFactory(group=group) for _ in range(5))
    sign(campaign, first, a)
    sign(campaign, second, b)
    sign(campaign, first, pending, SignatureStatus.PENDING)
    sign(campaign, first, withdrawn, SignatureStatus.WITHDRAWN)
    SignatureFactory(campaign=campaign, revision_id=first.id, status=SignatureStatus.CONFIRMED)

    assert ids(group, inc(("campaign", campaign.id))) == {a.id, b.id}
    assert ids(group, inc(("revision", first.id))) == {a.id}
    assert ids(group, inc(("revision", second.id))) == {b.id}
    assert count(group.id, inc(("campaign", CampaignFactory(group=group).id))) == 0


def test_country_language_and_joined_dates(group):
    start = datetime(2026, 3, 10, 12, tzinfo=UTC)
    fr = SupporterFactory(group=group, country="FR", language="fr", created_at=start)
    de = SupporterFactory(
        group=group, country="DE", language="de", created_at=start + timedelta(days=1)
    )
    be = SupporterFactory(
        group=group, country="BE", language="fr", created_at=start - timedelta(days=1)
    )

    assert ids(group, inc(("country", "fr"))) == {fr.id}
    assert ids(group, inc(("language", "fr"))) == {fr.id, be.id}
    assert ids(group, inc(("language", "fr"), ("country", "BE"))) == {be.id}
    assert ids(group, inc(("joined_before", "2026-03-10"))) == {be.id}
    assert ids(group, inc(("joined_after", "2026-03-10"))) == {de.id}
    assert ids(group, exc(("joined_before", "2026-03-10"), ("joined_after", "2026-03-10"))) == {
        fr.id
    }


def test_committed_to_a_pledge(group):
    campaign = CampaignFactory(group=group)
    rev = revision(campaign)
    pledge = Pledge(campaign_id=campaign.id, text="Strike", threshold=10, deadline=date(2030, 1, 1))
    db.session.add(pledge)
    db.session.flush()
    yes, pending = SupporterFactory(group=group), SupporterFactory(group=group)
    for supporter, status in (
        (yes, CommitmentStatus.CONFIRMED),
        (pending, CommitmentStatus.PENDING),
    ):
        signature = sign(campaign, rev, supporter)
        db.session.add(
            Commitment(
                pledge_id=pledge.id,
                signature_id=signature.id,
                status=status,
                supporter_id=supporter.id,
            )
        )
    db.session.flush()

    assert ids(group, inc(("pledge", pledge.id))) == {yes.id}
    assert ids(group, exc(("pledge", pledge.id))) == {pending.id}


def test_going_to_and_attended_a_screening(group):
    event = EventFactory(campaign=CampaignFactory(group=group))
    going, came, waiting, absent = (SupporterFactory(group=group) for _ in range(4))
    RSVPFactory(event=event, supporter_id=going.id)
    RSVPFactory(event=event, supporter_id=came.id, status=RSVPStatus.CANCELLED, attended=True)
    RSVPFactory(event=event, supporter_id=waiting.id, status=RSVPStatus.WAITLISTED)
    RSVPFactory(event=event, supporter_id=absent.id, attended=False)
    RSVPFactory(event=event)  # a guest the host added: no supporter

    assert ids(group, inc(("event_going", event.id))) == {going.id, absent.id}
    assert ids(group, inc(("event_attended", event.id))) == {came.id}
    assert ids(group, exc(("event_attended", event.id))) == {going.id, waiting.id, absent.id}


def test_tagged_and_not_tagged(group):
    tag, other = TagFactory(group_id=group.id), TagFactory(group_id=group.id)
    tagged, both, plain = (SupporterFactory(group=group) for _ in range(3))
    db.session.add_all(
        [
            Tagging(supporter_id=tagged.id, tag_id=tag.id),
            Tagging(supporter_id=both.id, tag_id=tag.id),
            Tagging(supporter_id=both.id, tag_id=other.id),
        ]
    )
    db.session.flush()

    assert ids(group, inc(("tag", tag.id))) == {tagged.id, both.id}
    assert ids(group, inc(("tag", tag.id), ("tag", other.id))) == {both.id}
    assert ids(group, exc(("tag", tag.id))) == {plain.id}
    assert ids(group, exc(("tag", other.id), ("tag", tag.id))) == {plain.id}


def test_received_a_mailing_or_not(group):
    mailing = Mailing(group_id=group.id)
    db.session.add(mailing)
    db.session.flush()
    got, failed, never = (SupporterFactory(group=group) for _ in range(3))
    db.session.add_all(
        [
            MailingRecipient(
                mailing_id=mailing.id, supporter_id=got.id, status=RecipientStatus.SENT
            ),
            MailingRecipient(
                mailing_id=mailing.id, supporter_id=failed.id, status=RecipientStatus.BOUNCED
            ),
        ]
    )
    db.session.flush()

    assert ids(group, inc(("mailing_received", mailing.id))) == {got.id}
    assert ids(group, exc(("mailing_received", mailing.id))) == {failed.id, never.id}


def test_includes_and_excludes_combine(group):
    campaign = CampaignFactory(group=group)
    rev = revision(campaign)
    tag = TagFactory(group_id=group.id)
    fr_signer, fr_tagged_signer, de_signer, fr_other = (
        SupporterFactory(group=group, country=c) for c in ("FR", "FR", "DE", "FR")
    )
    for supporter in (fr_signer, fr_tagged_signer, de_signer):
        sign(campaign, rev, supporter)
    db.session.add(Tagging(supporter_id=fr_tagged_signer.id, tag_id=tag.id))
    unsubscribed = SupporterFactory(group=group, country="FR", status=SupporterStatus.UNSUBSCRIBED)
    sign(campaign, rev, unsubscribed)
    db.session.flush()

    audience = Audience(
        includes=(Condition("campaign", str(campaign.id)), Condition("country", "FR")),
        excludes=(Condition("tag", str(tag.id)),),
    )
    assert ids(group, audience) == {fr_signer.id}
    assert count(group.id, audience) == 1
    assert count(group.id, audience, mailable_only=False) == 2
    assert list(db.session.scalars(matching_ids(group.id, inc(("country", "FR"))))) == sorted(
        [fr_signer.id, fr_tagged_signer.id, fr_other.id]
    )


def test_the_audience_round_trips_and_refuses_bad_filters():
    audience = Audience(
        includes=(Condition("campaign", "3"), Condition("joined_after", "2026-01-31")),
        excludes=(Condition("mailing_received", "9"),),
    )
    assert Audience.from_dict(audience.to_dict()) == audience
    assert Audience.from_dict(None) == Audience() == Audience.from_dict({})
    assert Condition.from_param("tag:12") == Condition("tag", "12")
    for kind, value in [
        ("campaign", "x"),
        ("joined_before", "31/01"),
        ("colour", "red"),
        ("country", ""),
    ]:
        with pytest.raises(InvalidCondition):
            Condition(kind, value)
    with pytest.raises(InvalidCondition):
        Audience.from_dict({"includes": ["tag:1"]})
    with pytest.raises(InvalidCondition):
        Condition.from_param("tag")


def test_a_pending_signature_never_counts(group):
    campaign = CampaignFactory(group=group)
    supporter = SupporterFactory(group=group)
    sign(campaign, revision(campaign), supporter, SignatureStatus.PENDING)
    assert count(group.id, inc(("campaign", campaign.id))) == 0


@pytest.mark.parametrize(
    "check",
    [
        test_the_base_is_subscribed_not_erased_and_not_suppressed,
        test_tagged_and_not_tagged,
        test_received_a_mailing_or_not,
        test_includes_and_excludes_combine,
    ],
)
def test_the_same_rules_hold_on_sqlite(check, make_app, migrated_sqlite_url):
    lite = make_app({"TESTING": True}, DATABASE_URL=migrated_sqlite_url)
    with lite.app_context():
        assert db.engine.dialect.name == "sqlite"
        check(GroupFactory())
        db.session.remove()
