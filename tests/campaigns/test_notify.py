"""Owners and organizers hear of pledges, milestones, screenings and responses, by email,
each in their own language, unless they turned that kind off."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select, update

from organizer.accounts.models import NotificationKind
from organizer.accounts.notifications import set_preferences
from organizer.campaigns.models import Membership, Role
from organizer.db import utcnow
from organizer.events import hosting
from organizer.events.models import EventMode, EventStatus
from organizer.extensions import db
from organizer.letters import directory, responses
from organizer.letters import services as letters
from organizer.letters.models import LetterStatus
from organizer.mail.models import OutboundEmail
from organizer.signatures import counting, milestones, pledges
from tests.factories import UserFactory
from tests.letters.conftest import add_signatures
from tests.letters.conftest import build_campaign as build_letters_campaign
from tests.signatures.conftest import confirm_now, make_campaign, sign


def _mail(kind):
    rows = db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.kind == kind).order_by(OutboundEmail.id)
    )
    return {row.to_addr: row for row in rows}


@pytest.fixture
def team(ctx):
    """An owner, an organizer, a French organizer who wants no emails of one kind (set per
    test), a moderator and a host: only owners and organizers are told."""
    owner = UserFactory(email="owner@example.org", display_name="Olive")
    people = {
        "owner": owner,
        "organizer": UserFactory(email="organizer@example.org", display_name="Oscar"),
        "quiet": UserFactory(email="quiet@example.org", display_name="Quentin", locale="fr"),
        "french": UserFactory(email="french@example.org", display_name="Fanny", locale="fr"),
        "moderator": UserFactory(email="moderator@example.org"),
        "host": UserFactory(email="host@example.org", display_name="Hana"),
    }
    return people


def _join(campaign, people):
    roles = {"organizer": Role.ORGANIZER, "quiet": Role.ORGANIZER, "french": Role.ORGANIZER,
             "moderator": Role.MODERATOR, "host": Role.HOST}  # fmt: skip
    for name, role in roles.items():
        db.session.add(Membership(campaign_id=campaign.id, user_id=people[name].id, role=role))
    db.session.flush()


def _silence(user, kind):
    set_preferences(user, {kind: False})


TOLD = {"owner@example.org", "organizer@example.org", "french@example.org"}


def test_a_triggered_and_a_lapsed_pledge_are_told_to_owners_and_organizers(team):
    campaign = make_campaign(team["owner"], slug="pledge-news", goal=100)
    _join(campaign, team)
    _silence(team["quiet"], NotificationKind.PLEDGE)
    _silence(team["quiet"], NotificationKind.PLEDGE)  # a second save updates the same row
    soon = utcnow().date() + timedelta(days=3)
    on = pledges.create_pledge(campaign, team["owner"], "I will delete my account", 1, soon)
    off = pledges.create_pledge(campaign, team["owner"], "I will write to my MP", 5, soon)
    confirm_now(sign(campaign, "signer@example.org", pledge=on)[1])

    assert pledges.check_pledges() == [(on.id, "triggered")]
    triggered = _mail("organizers_pledge_triggered")
    assert set(triggered) == TOLD
    assert "1 person committed, of the 1 needed" in triggered["owner@example.org"].text_body
    assert "/signatures/pledges" in triggered["owner@example.org"].text_body
    assert "/account/settings#notifications" in triggered["owner@example.org"].text_body

    assert pledges.check_pledges(today=soon + timedelta(days=1)) == [(off.id, "lapsed")]
    lapsed = _mail("organizers_pledge_lapsed")
    assert set(lapsed) == TOLD
    text = lapsed["organizer@example.org"].text_body
    assert "with 0 commitments, of the 5 needed" in text
    assert f"{soon:%B} {soon.day}, {soon.year}" in text  # Babel's long date, in English
    assert f"{soon.day} " in lapsed["french@example.org"].text_body
    assert f"{soon:%B}" not in lapsed["french@example.org"].text_body  # French month name
    pledges.check_pledges(today=soon + timedelta(days=2))
    assert len(_mail("organizers_pledge_lapsed")) == 3


def test_a_milestone_is_told_once_to_those_who_want_it(team):
    campaign = make_campaign(team["owner"], slug="milestone-news")
    _join(campaign, team)
    _silence(team["quiet"], NotificationKind.MILESTONE)
    _silence(team["organizer"], NotificationKind.PLEDGE)  # another kind: still told
    milestones.add_milestone(campaign, team["owner"], 1)
    confirm_now(sign(campaign, "first@example.org")[1])
    counting.fold()
    assert [m.threshold for m in milestones.announce_reached(campaign.id)] == [1]
    assert milestones.announce_reached(campaign.id) == []
    sent = _mail("milestone_organizers")
    assert set(sent) == TOLD
    assert (
        "has reached the milestone of 1 signature (1 in all now"
        in sent["owner@example.org"].text_body
    )
    assert sent["owner@example.org"].subject == "Platform accountability reached 1 signature"
    assert sent["french@example.org"].locale == "fr"


def _details():
    start = (utcnow() + timedelta(days=10)).date()
    return hosting.EventDetails(
        title="Screening at the library", description="", start_date=start,
        start_time=time(19, 0), end_date=start, end_time=time(21, 0), timezone="Europe/Paris",
        mode=EventMode.IN_PERSON, capacity=30, city="Lyon", country="FR",
    )  # fmt: skip


def test_a_screening_awaiting_approval_is_told_but_not_to_its_host(team):
    campaign = make_campaign(team["owner"], slug="screening-news")
    _join(campaign, team)
    # The host is an organizer too here: they registered it, so they are not told.
    db.session.execute(
        update(Membership).where(Membership.user_id == team["host"].id).values(role=Role.ORGANIZER)
    )
    _silence(team["quiet"], NotificationKind.SCREENING)
    event = hosting.register_event(campaign, team["host"], _details(), 1)
    assert event.status == EventStatus.PENDING
    sent = _mail("organizers_screening_pending")
    assert set(sent) == TOLD
    text = sent["organizer@example.org"].text_body
    assert "Hana registered the screening “Screening at the library”" in text
    assert "/organize/screening-news/events" in text
    assert sent["french@example.org"].locale == "fr"


def test_an_approved_screening_needs_no_approval_and_tells_nobody(team):
    campaign = make_campaign(team["owner"], slug="open-screenings")
    hosting.update_settings(campaign, "Show it in full.", require_approval=False)
    hosting.register_event(campaign, team["host"], _details(), 2)
    assert _mail("organizers_screening_pending") == {}


def test_a_recorded_response_is_told_to_the_other_organizers(team):
    directory.import_bundled()
    campaign = build_letters_campaign(team["owner"], slug="response-news")
    _join(campaign, team)
    _silence(team["quiet"], NotificationKind.LETTER_RESPONSE)
    add_signatures(campaign, "GB", 2)
    written = letters.write_letters(letters.preview(campaign), team["owner"])
    letter = next(item for item in written if item.regulator.slug == "gb-ico")
    letter.status = LetterStatus.SENT
    responses.record_response(letter, team["organizer"], date(2026, 2, 1), "The ICO will look.")
    sent = _mail("organizers_letter_response")
    assert set(sent) == {"owner@example.org", "french@example.org"}  # not Oscar, who recorded it
    text = sent["owner@example.org"].text_body
    assert "Oscar recorded the answer of" in text and "It arrived on February 1, 2026" in text
    assert "The ICO will look." in text
    assert "1 février 2026" in sent["french@example.org"].text_body
