"""Transactional mail is not marketing: the group's list and the suppression list stop
milestone emails, revision notices and response notices, never a confirmation or a reminder."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from organizer.events import reminders
from organizer.extensions import db
from organizer.mail.models import SuppressionReason
from organizer.mail.policy import may_send_updates
from organizer.mail.suppression import suppress
from organizer.signatures import counting, milestones
from organizer.signatures.models import PostalCodeMode
from organizer.signatures.settings import save_settings
from organizer.supporters.models import Supporter, SupporterStatus
from organizer.supporters.status import change_status, supporter_for
from tests.events.conftest import confirmed_guest
from tests.factories import EventFactory, GroupFactory, SupporterFactory, UserFactory
from tests.signatures.conftest import confirm_now, make_campaign, sign
from tests.support.mail import emails_to


@pytest.fixture
def group(ctx):
    return GroupFactory()


def test_a_subscribed_supporter_may_receive_updates(group):
    SupporterFactory(group=group, email="ada@example.org")
    assert may_send_updates(group.id, "ada@example.org")
    assert may_send_updates(group.id, "ADA@example.org")


@pytest.mark.parametrize(
    "status", [SupporterStatus.UNSUBSCRIBED, SupporterStatus.BOUNCING, SupporterStatus.COMPLAINED]
)
def test_any_other_status_refuses(group, status):
    SupporterFactory(group=group, email="ada@example.org", status=status)
    assert not may_send_updates(group.id, "ada@example.org")


def test_no_supporter_row_leaves_the_word_to_the_actions_consent(group):
    assert may_send_updates(group.id, "new@example.org")


def test_the_group_is_the_one_asked(group):
    other = GroupFactory()
    SupporterFactory(group=other, email="ada@example.org", status=SupporterStatus.UNSUBSCRIBED)
    SupporterFactory(group=group, email="ada@example.org")
    assert may_send_updates(group.id, "ada@example.org")
    assert not may_send_updates(other.id, "ada@example.org")


def test_suppression_refuses_for_its_group_or_for_all(group):
    other = GroupFactory()
    SupporterFactory(group=group, email="ada@example.org")
    suppress("ada@example.org", SuppressionReason.COMPLAINT, group_id=other.id)
    assert may_send_updates(group.id, "ada@example.org")
    assert not may_send_updates(other.id, "ada@example.org")
    suppress("Ada@Example.org", SuppressionReason.HARD_BOUNCE)
    assert not may_send_updates(group.id, "ada@example.org")


def _kinds(address):
    return [e.kind for e in emails_to(address)]


def _unsubscribe(group_id, address):
    supporter = supporter_for(group_id, address)
    if supporter is None:
        supporter = SupporterFactory(group_id=group_id, email=address)
    change_status(supporter, SupporterStatus.UNSUBSCRIBED, source_type="unsubscribe")
    return supporter


def test_an_unsubscribed_supporter_gets_no_milestone_email_but_every_transactional_one(ctx):
    owner = UserFactory()
    campaign = make_campaign(owner, goal=1000)
    save_settings(campaign, PostalCodeMode.OPTIONAL, True)
    milestones.add_milestone(campaign, owner, 2)
    stays = confirm_now(sign(campaign, "stays@example.org", receive_updates=True)[1])
    left = confirm_now(sign(campaign, "left@example.org", receive_updates=True)[1])
    # The signature's own consent still stands: the group-level word is what says no.
    _unsubscribe(campaign.group_id, "left@example.org")
    counting.fold()
    assert [m.threshold for m in milestones.announce_reached(campaign.id)] == [2]
    assert "milestone_signers" in _kinds(stays.email)
    assert "milestone_signers" not in _kinds(left.email)

    # What the person does still answers them: signing again, a screening's reminder.
    sign(campaign, "left@example.org")
    assert _kinds(left.email)[-1] == "signature_already"
    event = EventFactory(capacity=5, campaign=campaign)
    confirmed_guest(event, "left@example.org")
    assert reminders.send_due(now=event.starts_at - timedelta(hours=24)) == 1
    assert _kinds(left.email)[-1] == "event_reminder"
    assert db.session.scalar(
        select(Supporter.status).where(Supporter.canonical_email == "left@example.org",
                                       Supporter.group_id == campaign.group_id)
    ) == SupporterStatus.UNSUBSCRIBED  # fmt: skip


def test_a_suppressed_address_gets_no_milestone_email(ctx):
    owner = UserFactory()
    campaign = make_campaign(owner, goal=1000)
    save_settings(campaign, PostalCodeMode.OPTIONAL, True)
    milestones.add_milestone(campaign, owner, 1)
    signature = confirm_now(sign(campaign, "gone@example.org", receive_updates=True)[1])
    suppress("gone@example.org", SuppressionReason.HARD_BOUNCE)
    counting.fold()
    milestones.announce_reached(campaign.id)
    assert "milestone_signers" not in _kinds(signature.email)
