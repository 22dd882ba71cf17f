from __future__ import annotations

import pytest
from sqlalchemy import select

from organizer.campaigns import amendments, revisions
from organizer.campaigns.models import AmendmentKind, AmendmentStatus
from organizer.campaigns.services import CampaignError
from organizer.extensions import db
from organizer.mail.models import OutboundEmail
from tests.factories import UserFactory
from tests.support.web import submit

from .conftest import build_campaign, login, publish, setup


def mail_to(address):
    return list(db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_addr == address)))


def test_a_rewording_is_endorsed_accepted_and_everyone_hears(published, owner):
    proposer, fan = UserFactory(), UserFactory()
    amendment = amendments.propose(
        published,
        proposer,
        AmendmentKind.REWORD,
        "A1",
        "Publish every political ad within a day.",
        "Faster.",
    )
    amendments.endorse(amendment, fan)
    with pytest.raises(CampaignError):
        amendments.endorse(amendment, fan)
    with pytest.raises(CampaignError):
        amendments.endorse(amendment, proposer)
    amendments.accept(amendment, owner, "Good idea.")
    assert amendment.status == AmendmentStatus.ACCEPTED
    draft = revisions.draft_revision(published)
    assert amendment.landed_in_revision == draft.number == 2
    assert draft.snapshot["sections"][0]["demands"][0]["text"] == (
        "Publish every political ad within a day."
    )
    assert revisions.published_revision(published).number == 1
    for person in (proposer, fan):
        [email] = mail_to(person.email)
        assert email.kind == "amendment_outcome"
        assert "accepted" in email.subject.lower()
        assert "Good idea." in email.text_body
    with pytest.raises(CampaignError):
        amendments.decline(amendment, owner, "Changed my mind.")


def test_adding_and_removing_demands(published, owner):
    supporter = UserFactory()
    added = amendments.propose(
        published,
        supporter,
        AmendmentKind.ADD,
        "B",
        "Let users download their data.",
        "Portability.",
        ["privacy"],
    )
    removed = amendments.propose(published, supporter, AmendmentKind.REMOVE, "A2", "", "Redundant.")
    amendments.accept(added, owner)
    amendments.accept(removed, owner)
    labels = {d.label: d.text for d in revisions.demands_of(revisions.draft_revision(published))}
    assert labels == {
        "A1": "Publish every political ad.",
        "B1": "Ask before using photos for ads.",
        "B2": "Let users download their data.",
    }


def test_a_decline_needs_a_note_and_is_mailed(published, owner):
    proposer = UserFactory()
    amendment = amendments.propose(published, proposer, AmendmentKind.REMOVE, "B1", "", "Why not")
    with pytest.raises(CampaignError):
        amendments.decline(amendment, owner, "  ")
    amendments.decline(amendment, owner, "We keep it.")
    [email] = mail_to(proposer.email)
    assert "declined" in email.subject.lower() and "We keep it." in email.text_body
    assert revisions.draft_revision(published) is None


def test_proposals_are_checked(ctx, owner):
    draft_only = build_campaign(owner, slug="draft-only")
    someone = UserFactory()
    with pytest.raises(CampaignError):
        amendments.propose(draft_only, someone, AmendmentKind.REMOVE, "A1", "", "Why")
    publish(draft_only, owner)
    for kind, target, text, reason in (
        (AmendmentKind.REWORD, "Z9", "New.", "Why"),
        (AmendmentKind.ADD, "Q", "New.", "Why"),
        (AmendmentKind.REWORD, "A1", "Publish every political ad.", "Same"),
        (AmendmentKind.ADD, "A", "", "Empty"),
        (AmendmentKind.REMOVE, "A1", "", " "),
    ):
        with pytest.raises(CampaignError):
            amendments.propose(draft_only, someone, kind, target, text, reason)


def test_accepting_when_the_demand_is_gone_is_refused(published, owner):
    amendment = amendments.propose(
        published, UserFactory(), AmendmentKind.REWORD, "A1", "Other words.", "Clearer."
    )
    from organizer.campaigns import services

    services.delete_demand(published.sections[0].demands[0], owner)
    with pytest.raises(CampaignError):
        amendments.accept(amendment, owner)
    assert amendment.status == AmendmentStatus.OPEN


def test_the_web_flow(app, client):
    with setup(app):
        owner = UserFactory()
        campaign = build_campaign(owner, slug="amendable")
        publish(campaign, owner)
        proposer, fan = UserFactory(), UserFactory()
        emails = owner.email, proposer.email, fan.email
    owner_email, proposer_email, fan_email = emails
    assert client.get("/c/amendable/amendments/new").status_code == 302
    login(client, proposer_email)
    response = submit(
        client,
        "/c/amendable/amendments/new",
        {
            "kind": "reword",
            "demand": "A2",
            "section": "A",
            "text": "Open the ad archive to every researcher.",
            "reason": "Everyone.",
        },
    )
    assert response.status_code == 302
    detail = response.headers["Location"]
    anonymous = app.test_client()
    page = anonymous.get("/c/amendable")
    assert "Reword A2" in page.get_data(as_text=True)
    assert "Set-Cookie" not in page.headers
    amendment_page = anonymous.get(detail)
    assert "<ins>" in amendment_page.get_data(as_text=True)
    assert "Set-Cookie" not in amendment_page.headers

    fan_client = app.test_client()
    login(fan_client, fan_email)
    from tests.support.web import csrf_token

    token = csrf_token(fan_client.get(detail).get_data(as_text=True))
    assert fan_client.post(f"{detail}/endorse", data={"csrf_token": token}).status_code == 302
    assert "1 endorsements" in fan_client.get(detail).get_data(as_text=True)
    # A supporter cannot decide.
    assert (
        fan_client.post(
            f"{detail}/decide", data={"decision": "accept", "csrf_token": token}
        ).status_code
        == 403
    )
    owner_client = app.test_client()
    login(owner_client, owner_email)
    token = csrf_token(owner_client.get(detail).get_data(as_text=True))
    response = owner_client.post(
        f"{detail}/decide", data={"decision": "accept", "note": "", "csrf_token": token}
    )
    assert response.status_code == 302
    assert "Accepted into revision 2." in owner_client.get(detail).get_data(as_text=True)
    with app.app_context():
        assert len(mail_to(proposer_email)) == 1 and len(mail_to(fan_email)) == 1
