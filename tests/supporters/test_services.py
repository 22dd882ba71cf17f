"""Supporters are made from confirmed actions, in the same transaction, with their consents."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from organizer.campaigns import revisions
from organizer.db import utcnow
from organizer.events import rsvp
from organizer.extensions import db
from organizer.signatures import confirmation, pledges, signing
from organizer.signatures.canonical import parse_address
from organizer.signatures.consents import TEXT_VERSIONS, Purpose
from organizer.signatures.models import Commitment
from organizer.supporters import services
from organizer.supporters.models import ConsentEvent, Supporter, SupporterStatus
from organizer.supporters.status import supporter_for
from tests.events.conftest import confirmed_guest
from tests.factories import EventFactory, UserFactory
from tests.signatures.conftest import confirm_now, make_campaign, sign


@pytest.fixture
def campaign(ctx):
    return make_campaign(UserFactory(display_name="Olive Owner"), goal=100)


def _events(supporter):
    return list(
        db.session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.supporter_id == supporter.id)
            .order_by(ConsentEvent.id)
        )
    )


def _supporters(group_id):
    return list(db.session.scalars(select(Supporter).where(Supporter.group_id == group_id)))


def test_a_pending_signature_is_not_a_supporter_and_confirming_makes_one(campaign):
    _outcome, signature = sign(campaign, "Ada.Lovelace+x@gmail.com", receive_updates=True,
                               postal_code="SW1A 2AA", ip="192.0.2.10")  # fmt: skip
    assert _supporters(campaign.group_id) == []
    assert signature.supporter_id is None
    confirm_now(signature)
    [supporter] = _supporters(campaign.group_id)
    assert signature.supporter_id == supporter.id
    assert supporter.canonical_email == "adalovelace@gmail.com"
    assert supporter.email == signature.email
    assert (supporter.name, supporter.country, supporter.postal_code) == (
        "Ada Lovelace", "GB", "SW1A 2AA",
    )  # fmt: skip
    assert supporter.status == SupporterStatus.SUBSCRIBED
    assert len(supporter.public_id) == 36
    [event] = _events(supporter)
    assert (event.purpose, event.granted, event.source_type, event.source_id) == (
        "updates", True, "signature", signature.id,
    )  # fmt: skip
    assert event.text_version == TEXT_VERSIONS[Purpose.UPDATES]


def test_without_the_updates_box_a_new_supporter_comes_in_unsubscribed(campaign):
    signature = confirm_now(sign(campaign, "bea@example.org", ip="192.0.2.11")[1])
    supporter = supporter_for(campaign.group_id, "bea@example.org")
    assert supporter is not None and signature.supporter_id == supporter.id
    assert supporter.status == SupporterStatus.UNSUBSCRIBED
    assert _events(supporter) == []


def test_a_suspect_signature_makes_a_supporter_only_once_cleared(campaign):
    signature = sign(campaign, "sus@example.org", ip="192.0.2.12", honeypot="http://spam")[1]
    assert signature.suspect
    confirmation.clear_suspect(signature)  # pending: its link is sent now
    confirm_now(signature)
    assert supporter_for(campaign.group_id, "sus@example.org") is not None


def test_one_supporter_per_group_and_canonical_email_across_campaigns(campaign):
    owner = db.session.get(type(campaign.created_by), campaign.created_by_id)
    second = make_campaign(owner, slug="second-one", title="Second")
    second.group_id = campaign.group_id
    db.session.flush()
    confirm_now(sign(campaign, "j.doe@gmail.com", ip="192.0.2.13", receive_updates=True)[1])
    later = sign(second, "jdoe+news@googlemail.com", name="Jo Doe", ip="192.0.2.14")[1]
    confirm_now(later)
    [supporter] = _supporters(campaign.group_id)
    assert supporter.name == "Jo Doe"  # the latest action's details
    # The second signature carried no updates consent: the status is left alone.
    assert supporter.status == SupporterStatus.SUBSCRIBED
    assert len(_events(supporter)) == 1
    assert later.supporter_id == supporter.id


def test_consent_in_one_campaign_subscribes_to_that_campaigns_group_only(campaign):
    other = make_campaign(UserFactory(), slug="other-group", title="Other")
    confirm_now(sign(campaign, "ada@example.org", ip="192.0.2.15", receive_updates=True)[1])
    confirm_now(sign(other, "ada@example.org", ip="192.0.2.16")[1])
    assert campaign.group_id != other.group_id
    assert supporter_for(campaign.group_id, "ada@example.org").status == "subscribed"
    assert supporter_for(other.group_id, "ada@example.org").status == "unsubscribed"


def test_record_action_changes_status_only_when_told_and_writes_every_change(ctx, campaign):
    def act(updates, source_id):
        return services.record_action(
            group_id=campaign.group_id, email="Zed@Example.org", canonical_email="zed@example.org",
            name="Zed", country=None, postal_code=None, language="fr", source_type="import",
            source_id=source_id, updates=updates, text_version="attested-1",
        )  # fmt: skip

    supporter = act(None, 1)
    assert supporter.status == SupporterStatus.UNSUBSCRIBED and _events(supporter) == []
    assert act(True, 2).status == SupporterStatus.SUBSCRIBED
    assert act(None, 3).status == SupporterStatus.SUBSCRIBED
    assert act(True, 4).status == SupporterStatus.SUBSCRIBED  # no change, no event
    assert act(False, 5).status == SupporterStatus.UNSUBSCRIBED
    assert [(e.granted, e.source_id, e.text_version) for e in _events(supporter)] == [
        (True, 2, "attested-1"), (False, 5, "attested-1"),
    ]  # fmt: skip
    assert supporter.language == "fr"
    assert db.session.scalar(select(func.count()).select_from(Supporter)) == 1


def test_a_later_action_keeps_fields_it_did_not_ask_for(ctx, campaign):
    common = dict(group_id=campaign.group_id, email="a@example.org",
                  canonical_email="a@example.org", language="en", source_type="signature",
                  updates=None, text_version=None)  # fmt: skip
    services.record_action(name="A", country="FR", postal_code="75004", source_id=1, **common)
    supporter = services.record_action(
        name="A B", country=None, postal_code=None, source_id=2, **common
    )
    assert (supporter.name, supporter.country, supporter.postal_code) == ("A B", "FR", "75004")


def test_last_action_moves_forward_only(ctx, campaign):
    now = utcnow()
    common = dict(group_id=campaign.group_id, email="a@example.org",
                  canonical_email="a@example.org", name="A", country=None, postal_code=None,
                  language="en", source_type="import", source_id=1, updates=None,
                  text_version=None)  # fmt: skip
    services.record_action(at=now, **common)
    supporter = services.record_action(at=now - timedelta(days=400), **common)
    assert supporter.last_action_at == now


def test_commitments_confirmed_with_the_signature_belong_to_its_supporter(campaign):
    pledge = pledges.create_pledge(
        campaign, campaign.created_by, "I will write to my MP", 5, date.today() + timedelta(days=9)
    )
    signature = sign(campaign, "p@example.org", ip="192.0.2.17", pledge=pledge)[1]
    confirm_now(signature)
    commitment = db.session.scalar(select(Commitment).where(Commitment.pledge_id == pledge.id))
    assert commitment.supporter_id == signature.supporter_id is not None


def test_a_counted_signer_committing_later_is_an_action_without_new_consent(campaign):
    signature = confirm_now(sign(campaign, "c@example.org", ip="192.0.2.18")[1])
    supporter = db.session.get(Supporter, signature.supporter_id)
    supporter.last_action_at = utcnow() - timedelta(days=30)
    pledge = pledges.create_pledge(
        campaign, campaign.created_by, "I will strike", 5, date.today() + timedelta(days=9)
    )
    revision = revisions.published_revision(campaign)
    signer = signing.Signer(name="C", address=parse_address("c@example.org"), country="GB",
                            postal_code=None, locale="en",
                            consents=frozenset({Purpose.UPDATES}), ip="192.0.2.18")  # fmt: skip
    outcome, _ = signing.sign(campaign, revision, signer, pledge)
    assert outcome == signing.Outcome.RESENT
    confirm_now(signature)
    commitment = db.session.scalar(select(Commitment).where(Commitment.pledge_id == pledge.id))
    assert commitment.supporter_id == supporter.id
    assert supporter.last_action_at > utcnow() - timedelta(minutes=1)
    # The box on the pledge form does not re-consent a signer who already signed.
    assert supporter.status == SupporterStatus.UNSUBSCRIBED


def test_a_confirmed_rsvp_makes_a_supporter_and_a_pending_one_does_not(ctx):
    event = EventFactory(capacity=5)
    asked = rsvp.request_place(event, "Pending", "pending@example.org", 1, "fr", None)
    assert supporter_for(event.campaign.group_id, "pending@example.org") is None
    assert asked.rsvp.supporter_id is None
    guest = confirmed_guest(event, "J.Doe@gmail.com", name="Jo", locale="fr")
    supporter = supporter_for(event.campaign.group_id, "jdoe@gmail.com")
    assert supporter is not None and guest.supporter_id == supporter.id
    assert (supporter.name, supporter.language, supporter.status) == ("Jo", "fr", "unsubscribed")


def test_a_guest_the_host_added_is_never_a_supporter(ctx):
    event = EventFactory(capacity=5)
    guest = rsvp.add_by_host(event, "Added", "added@example.org", 1, "en")
    db.session.flush()
    assert guest.supporter_id is None
    assert _supporters(event.campaign.group_id) == []


def test_a_host_added_guest_who_later_asks_themselves_becomes_a_supporter(ctx):
    event = EventFactory(capacity=5)
    guest = rsvp.add_by_host(event, "Added", "added@example.org", 1, "en")
    rsvp.cancel(guest)
    again = confirmed_guest(event, "added@example.org", name="Added")
    assert again.id == guest.id and not again.added_by_host
    assert again.supporter_id is not None
