"""Milestone letters never pile up: one letter per body and revision, follow-ups on request."""

from __future__ import annotations

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from organizer.extensions import db
from organizer.letters import directory, milestones, services
from organizer.letters.models import Letter, LetterStatus, LetterTrigger
from organizer.letters.services import LetterError
from tests.campaigns.conftest import login, setup
from tests.factories import UserFactory
from tests.letters.conftest import add_signatures, build_campaign, seed_signers
from tests.support.web import csrf_token


def letters_to(campaign, slug):
    return list(
        db.session.scalars(
            select(Letter)
            .where(Letter.campaign_id == campaign.id)
            .join(Letter.regulator)
            .where(Letter.regulator.has(slug=slug))
            .order_by(Letter.id)
        )
    )


def test_a_milestone_writes_no_second_letter_to_a_body_that_has_one(campaign, owner):
    drafts = services.write_letters(services.preview(campaign), owner)
    cnil = next(letter for letter in drafts if letter.regulator.slug == "fr-cnil")
    cnil.status = LetterStatus.RESPONDED  # its answer was recorded
    milestones.add_trigger(campaign, owner, 5)
    assert milestones.fire_due() == []
    total = db.session.scalar(select(func.count()).where(Letter.campaign_id == campaign.id))
    assert total == len(drafts)
    assert len(letters_to(campaign, "fr-cnil")) == 1


def test_a_milestone_writes_only_to_bodies_that_have_no_letter_yet(campaign, owner):
    services.write_letters(services.preview(campaign, drop=["gb-ico"]), owner)
    milestones.add_trigger(campaign, owner, 5)
    written = milestones.fire_due()
    assert [letter.regulator.slug for letter in written] == ["gb-ico"]
    assert written[0].trigger == LetterTrigger.MILESTONE


def test_the_plan_knows_which_bodies_already_have_a_letter(campaign, owner):
    services.write_letters(services.preview(campaign), owner)
    again = services.preview(campaign)
    assert again.to_write == [] and set(again.existing) == {p.body for p in again.plan.letters}
    assert services.write_letters(again, owner) == []


def test_a_follow_up_is_a_new_draft_that_names_the_first(campaign, owner):
    first = next(
        letter
        for letter in services.write_letters(services.preview(campaign), owner)
        if letter.regulator.slug == "fr-cnil"
    )
    with pytest.raises(LetterError):
        services.write_follow_up(first, owner)  # a draft is edited, not followed up
    first.status = LetterStatus.SENT
    add_signatures(campaign, "FR", 3)
    follow_up = services.write_follow_up(first, owner)
    assert follow_up.follow_up_of is first and follow_up.status == LetterStatus.DRAFT
    assert follow_up.signers_in_jurisdiction == first.signers_in_jurisdiction + 3
    # Today's counts, in the body's language, and a first line that names the first letter.
    assert "5 signataires" in follow_up.subject and follow_up.subject != first.subject
    assert str(first.created_at.year) in follow_up.body.splitlines()[0]
    # The follow-up does not count as the body's first letter.
    assert services.preview(campaign).existing["fr-cnil"] is first


def test_the_organizer_follows_up_from_the_letter_page(app, client, db_session):
    with setup(app):
        owner = UserFactory(email="owner@example.org")
        directory.import_bundled()
        campaign = build_campaign(owner, slug="strike")
        seed_signers(campaign)
        first = services.write_letters(services.preview(campaign), owner)[0]
        first.status = LetterStatus.SENT
        first_id, body = first.id, str(escape(first.regulator.label))
    login(client, "owner@example.org")
    page = client.get(f"/organize/strike/letters/{first_id}").get_data(as_text=True)
    assert "Write a follow-up" in page
    answer = client.post(f"/organize/strike/letters/{first_id}/follow-up",
                         data={"csrf_token": csrf_token(page)})  # fmt: skip
    assert answer.status_code == 302
    shown = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "A follow-up draft is written" in shown and "Follow-up of" in shown
    listing = client.get("/organize/strike/letters").get_data(as_text=True)
    # Grouped by body: one heading for the body, its letter and its follow-up beneath.
    assert listing.count(f'<h3 class="letters-body">{body}</h3>') == 1
    section = listing.split(f'<h3 class="letters-body">{body}</h3>')[1].split("<h3")[0]
    assert "Follow-up, revision 1" in section and "Sent" in section and "Draft" in section
