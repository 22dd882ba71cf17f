from __future__ import annotations

import re

import pytest

from organizer.campaigns import amendments, revisions
from organizer.campaigns.models import AmendmentKind, AmendmentStatus, Membership, Role
from organizer.campaigns.services import CampaignError
from organizer.extensions import db
from tests.factories import UserFactory
from tests.support.mail import emails_to
from tests.support.web import csrf_token, submit

from .conftest import build_campaign, login, publish, setup


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
        [email] = emails_to(person.email)
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
    [email] = emails_to(proposer.email)
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
    token = csrf_token(fan_client.get(detail).get_data(as_text=True))
    assert fan_client.post(f"{detail}/endorse", data={"csrf_token": token}).status_code == 302
    assert "1 endorsement." in fan_client.get(detail).get_data(as_text=True)
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
        assert len(emails_to(proposer_email)) == 1 and len(emails_to(fan_email)) == 1


def test_owners_and_organizers_hear_of_a_proposal_in_the_transaction(published, owner):
    organizer, moderator, proposer = UserFactory(), UserFactory(), UserFactory()
    for person, role in ((organizer, Role.ORGANIZER), (moderator, Role.MODERATOR)):
        db.session.add(Membership(campaign_id=published.id, user_id=person.id, role=role))
    db.session.flush()
    amendment = amendments.propose(
        published, proposer, AmendmentKind.REWORD, "A1", "Publish every ad.", "Shorter."
    )
    for person in (owner, organizer):
        [email] = emails_to(person.email)
        assert email.kind == "amendment_proposed"
        assert email.subject == f"New amendment on A1: {published.title}"
        assert f"{proposer.display_name} proposes to reword demand A1" in email.text_body
        assert "Publish every ad." in email.text_body and "Shorter." in email.text_body
        assert f"/c/{published.slug}/amendments/{amendment.id}" in email.text_body
    assert emails_to(moderator.email) == [] and emails_to(proposer.email) == []


def test_an_organizer_who_proposes_is_not_told_of_their_own_proposal(published, owner):
    amendments.propose(published, owner, AmendmentKind.REMOVE, "A2", "", "Redundant.")
    assert emails_to(owner.email) == []


def test_an_endorsement_can_be_withdrawn_while_the_amendment_is_open(published, owner):
    fan = UserFactory()
    amendment = amendments.propose(
        published, UserFactory(), AmendmentKind.REMOVE, "A2", "", "Redundant."
    )
    with pytest.raises(CampaignError):
        amendments.withdraw_endorsement(amendment, fan)
    amendments.endorse(amendment, fan)
    amendments.withdraw_endorsement(amendment, fan)
    assert amendment.endorsements == []
    amendments.endorse(amendment, fan)
    amendments.decline(amendment, owner, "We keep it.")
    with pytest.raises(CampaignError):
        amendments.withdraw_endorsement(amendment, fan)
    assert [e.user_id for e in amendment.endorsements] == [fan.id]


def test_withdrawing_on_the_amendment_page(app, client):
    with setup(app):
        owner = UserFactory()
        campaign = build_campaign(owner, slug="withdrawable")
        publish(campaign, owner)
        amendment = amendments.propose(
            campaign, UserFactory(), AmendmentKind.REMOVE, "A2", "", "Redundant."
        )
        fan = UserFactory()
        detail, fan_email = f"/c/withdrawable/amendments/{amendment.id}", fan.email
    login(client, fan_email)
    token = csrf_token(client.get(detail).get_data(as_text=True))
    client.post(f"{detail}/endorse", data={"csrf_token": token})
    html = client.get(detail).get_data(as_text=True)
    assert "1 endorsement." in html and f'action="{detail}/withdraw"' in html
    response = client.post(f"{detail}/withdraw", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == detail
    html = client.get(detail).get_data(as_text=True)
    assert "Your endorsement is withdrawn. You can endorse the amendment again." in html
    assert "0 endorsements." in html and f'action="{detail}/endorse"' in html
    assert client.post(f"{detail}/withdraw", data={}).status_code == 400  # no CSRF token
    again = client.post(f"{detail}/withdraw", data={"csrf_token": token})
    assert again.status_code == 302
    assert "You do not endorse this amendment." in client.get(detail).get_data(as_text=True)


LISTED = re.compile(r'href="/c/listed/amendments/\d+"')


def _amendments_on(app, count):
    with setup(app):
        owner = UserFactory(email="lister@example.org")
        campaign = build_campaign(owner, slug="listed")
        publish(campaign, owner)
        proposer = UserFactory(display_name="Pat Proposer")
        made = [
            amendments.propose(campaign, proposer, AmendmentKind.REMOVE, "A1", "", f"Reason {n}")
            for n in range(count)
        ]
        amendments.decline(made[0], owner, "No.")
        return [a.id for a in made]


def test_the_list_filters_by_status_and_pages(app, client):
    ids = _amendments_on(app, amendments.PAGE_SIZE + 3)
    login(client, "lister@example.org")
    first = client.get("/organize/listed/amendments").get_data(as_text=True)
    assert len(LISTED.findall(first)) == amendments.PAGE_SIZE
    assert f'href="/c/listed/amendments/{ids[0]}"' not in first  # declined, not open
    assert f'href="/c/listed/amendments/{ids[1]}"' in first  # the oldest open comes first
    assert "Open (22)" in first and "Declined (1)" in first and "Accepted (0)" in first
    assert 'href="/organize/listed/amendments?status=open&amp;page=2"' in first
    second = client.get("/organize/listed/amendments?status=open&page=2").get_data(as_text=True)
    assert len(LISTED.findall(second)) == 2
    assert f'href="/c/listed/amendments/{ids[-1]}"' in second and "Next page" not in second
    declined = client.get("/organize/listed/amendments?status=declined").get_data(as_text=True)
    assert f'href="/c/listed/amendments/{ids[0]}"' in declined
    accepted = client.get("/organize/listed/amendments?status=accepted").get_data(as_text=True)
    assert "No amendment has been accepted yet." in accepted


def test_the_list_is_for_those_who_decide(app, client):
    _amendments_on(app, 1)
    with setup(app):
        from organizer.campaigns.services import get_by_slug

        moderator = UserFactory(email="listmod@example.org")
        db.session.add(Membership(campaign_id=get_by_slug("listed").id, user_id=moderator.id,
                                  role=Role.MODERATOR))  # fmt: skip
    login(client, "listmod@example.org")
    assert client.get("/organize/listed/amendments").status_code == 403


@pytest.mark.integration
def test_the_proposal_email_reaches_the_organizers_through_smtp(
    app, committed_db, worker, services
):
    with app.app_context():
        owner = UserFactory(email="owner-mail@example.org", display_name="Olive Owner")
        organizer = UserFactory(email="organizer-mail@example.org", locale="fr")
        campaign = build_campaign(owner, slug="mailed")
        db.session.add(Membership(campaign_id=campaign.id, user_id=organizer.id,
                                  role=Role.ORGANIZER))  # fmt: skip
        publish(campaign, owner)
        UserFactory(email="proposer-mail@example.org", display_name="Pat Proposer")
        db.session.commit()
    client = app.test_client()
    login(client, "proposer-mail@example.org")
    response = submit(
        client,
        "/c/mailed/amendments/new",
        {"kind": "reword", "demand": "A2", "section": "A",
         "text": "Open the ad archive to every researcher.", "reason": "Everyone."},
    )  # fmt: skip
    assert response.status_code == 302
    detail = response.headers["Location"]
    message = services.smtp.wait_for_message("owner-mail@example.org")
    body = message.get_body(("plain",)).get_content()
    assert message["Subject"] == "New amendment on A2: Platform accountability"
    assert "Pat Proposer proposes to reword demand A2" in body
    assert "Open the ad archive to every researcher." in body
    assert app.config["BASE_URL"].rstrip("/") + detail in body
    french = services.smtp.wait_for_message("organizer-mail@example.org")
    assert detail in french.get_body(("plain",)).get_content()
    assert services.smtp.messages_to("proposer-mail@example.org") == []
