"""Mailing fixtures: a group with a postal address, a campaign, and supporters who said yes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from organizer.extensions import db
from organizer.mailings import expansion, sending, services
from organizer.mailings.models import Mailing
from organizer.supporters.models import ConsentEvent, SupporterStatus
from tests.campaigns.conftest import build_campaign, login, setup
from tests.factories import GroupFactory, SupporterFactory, UserFactory

__all__ = ["login", "setup"]

CONSENTED_AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def supporter(
    group, email, *, name="Ada Lovelace", language="en", status=SupporterStatus.SUBSCRIBED, **fields
):
    person = SupporterFactory(
        group=group,
        email=email,
        canonical_email=email,
        name=name,
        language=language,
        status=status,
        **fields,
    )
    db.session.add(
        ConsentEvent(
            supporter_id=person.id,
            purpose="updates",
            granted=True,
            source_type="signature",
            source_id=None,
            at=CONSENTED_AT,
        )
    )
    db.session.flush()
    return person


def compose(group, owner, *, subjects=None, body='Hello {{ first_name | "friend" }}!', **fields):
    subjects = subjects or {"en": "News from the riders"}
    first, *others = subjects
    mailing = services.create(group, owner, first)
    for language in others:
        services.add_language(mailing, language)
    for content in mailing.contents:
        content.subject = subjects[content.language]
        content.body_markdown = (
            body if content.language == "en" else 'Bonjour {{ first_name | "ami" }} !'
        )
    for name, value in fields.items():
        setattr(mailing, name, value)
    db.session.flush()
    return mailing


def expand_all(mailing: Mailing, size: int = 1000) -> int:
    state = expansion.start(mailing.id)
    assert state is not None
    batches = 1
    while expansion.expand_batch(state, size):
        batches += 1
    return batches


def start(mailing: Mailing, cap: int | None = None) -> Mailing:
    assert sending.send(mailing, None, cap)
    return mailing


@pytest.fixture
def owner(ctx):
    return UserFactory(email="owner@example.org", display_name="Olive Owner")


@pytest.fixture
def group(owner):
    made = GroupFactory(owner=owner, slug="riders", name="Riders Union")
    campaign = build_campaign(owner, title="Fair pay for riders", slug="fair-pay")
    campaign.group_id = made.id
    db.session.flush()
    return made
