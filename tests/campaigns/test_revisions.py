from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from organizer.campaigns import revisions, services
from organizer.campaigns.models import FrozenRevisionError, Revision
from organizer.campaigns.revisions import content_hash
from organizer.campaigns.vocabulary import TOPICS
from organizer.extensions import db
from tests.factories import UserFactory

from .conftest import build_campaign, publish

texts = st.text(min_size=1, max_size=40)
demands = st.fixed_dictionaries(
    {
        "uid": st.text(alphabet="abcdef0123456789", min_size=12, max_size=12),
        "text": texts,
        "topics": st.lists(st.sampled_from(list(TOPICS)), unique=True, max_size=3),
        "jurisdictions": st.lists(st.sampled_from(["US", "GB", "EU", "FR"]), unique=True),
    }
)
sections = st.fixed_dictionaries(
    {
        "uid": st.text(alphabet="abcdef0123456789", min_size=12, max_size=12),
        "title": texts,
        "topics": st.lists(st.sampled_from(list(TOPICS)), unique=True, max_size=2),
        "demands": st.lists(demands, min_size=1, max_size=4),
    }
)
snapshots = st.fixed_dictionaries(
    {
        "format": st.just(1),
        "preamble": st.text(max_size=40),
        "sections": st.lists(sections, min_size=1, max_size=3),
    }
)


@given(snapshots)
def test_the_same_text_gives_the_same_hash_whatever_the_uids_or_key_order(snapshot):
    other = copy.deepcopy(snapshot)
    for section in other["sections"]:
        section["uid"] = "x" + section["uid"][1:]
        for demand in section["demands"]:
            demand["uid"] = "y" + demand["uid"][1:]
    reordered = {key: other[key] for key in reversed(list(other))}
    assert content_hash(snapshot) == content_hash(reordered)
    assert len(content_hash(snapshot)) == 64


@given(snapshots, st.data())
def test_any_change_to_the_text_gives_a_new_hash(snapshot, data):
    changed = copy.deepcopy(snapshot)
    section = data.draw(st.sampled_from(changed["sections"]))
    demand = data.draw(st.sampled_from(section["demands"]))
    change = data.draw(st.sampled_from(["text", "topic", "place", "title", "preamble", "order"]))
    if change == "text":
        demand["text"] += "!"
    elif change == "topic":
        demand["topics"] = [t for t in TOPICS if t not in demand["topics"]][:1] + demand["topics"]
    elif change == "place":
        demand["jurisdictions"] = [*demand["jurisdictions"], "JP"]
    elif change == "title":
        section["title"] += " and more"
    elif change == "preamble":
        changed["preamble"] += "."
    else:
        section["demands"].append({**demand, "uid": "z" * 12, "text": demand["text"] + "?"})
    assert content_hash(changed) != content_hash(snapshot)


def test_a_new_campaign_has_a_draft_revision_one(campaign):
    draft = revisions.draft_revision(campaign)
    assert draft.number == 1
    assert revisions.published_revision(campaign) is None
    assert draft.content_hash == content_hash(revisions.build_snapshot(campaign))


def test_saving_updates_the_draft_in_place(campaign, owner):
    draft = revisions.draft_revision(campaign)
    before = draft.content_hash
    services.set_preamble(campaign, owner, "We, the users,")
    assert revisions.draft_revision(campaign).id == draft.id
    assert draft.content_hash != before
    assert draft.snapshot["preamble"] == "We, the users,"


def test_two_campaigns_with_the_same_text_share_the_hash(owner):
    first = build_campaign(owner, title="One")
    second = build_campaign(owner, title="Two")
    assert (
        revisions.draft_revision(first).content_hash
        == revisions.draft_revision(second).content_hash
    )


def test_publishing_freezes_and_edits_go_to_the_next_revision(campaign, owner):
    first = publish(campaign, owner, "First.")
    frozen_hash, frozen_snapshot = first.content_hash, copy.deepcopy(first.snapshot)
    assert campaign.status == "published" and campaign.first_published_at is not None

    demand = campaign.sections[0].demands[0]
    services.update_demand(
        demand, owner, "Publish every political ad, with its targeting.", demand.topics, []
    )
    draft = revisions.draft_revision(campaign)
    assert draft.number == 2
    assert draft.content_hash != frozen_hash
    db.session.expire_all()
    first = db.session.get(Revision, first.id)
    assert first.content_hash == frozen_hash
    assert first.snapshot == frozen_snapshot
    assert revisions.published_revision(campaign).number == 1

    second = publish(campaign, owner, "Targeting.")
    assert second.number == 2
    assert revisions.published_revision(campaign).id == second.id


def test_editing_back_to_the_published_text_leaves_nothing_to_publish(published, owner):
    demand = published.sections[0].demands[0]
    original = demand.text
    services.update_demand(demand, owner, original + " Now.", demand.topics, [])
    assert revisions.draft_revision(published) is not None
    services.update_demand(demand, owner, original, demand.topics, [])
    assert revisions.draft_revision(published) is None
    with pytest.raises(revisions.RevisionError):
        revisions.publish(published, owner)


def test_a_published_revision_refuses_any_change(published):
    revision = revisions.published_revision(published)
    revision.snapshot = {**revision.snapshot, "preamble": "tampered"}
    revision.content_hash = content_hash(revision.snapshot)
    with pytest.raises(FrozenRevisionError):
        db.session.flush()
    db.session.rollback()


def test_an_empty_text_cannot_be_published(owner):
    campaign = services.create_campaign(
        owner, services.CampaignDetails(title="Empty", summary="Nothing yet.", language="en")
    )
    with pytest.raises(revisions.RevisionError):
        revisions.publish(campaign, owner)


def test_demands_of_a_revision_carry_labels_topics_and_places(owner):
    campaign = build_campaign(
        owner, sections={"Votes": ["Audit the ads."], "Hearings": ["Testify."]}
    )
    hearing = campaign.sections[1].demands[0]
    services.update_demand(hearing, owner, "Testify before Congress.", ["legislature"], ["us"])
    revision = publish(campaign, owner)
    views = revisions.demands_of(revision)
    assert [d.label for d in views] == ["A1", "B1"]
    assert views[1].topics == ("legislature",)
    assert views[1].jurisdictions == ("US",)
    assert views[1].section_title == "Hearings"


# Changing the text after people signed (issue 12, point 7).


def _signers(campaign, revision, confirmed=2, opted_in=1, pending=1):
    from organizer.db import utcnow
    from organizer.signatures.models import SignatureStatus
    from tests.factories import SignatureFactory

    made = [
        SignatureFactory(campaign=campaign, revision=revision, status=SignatureStatus.CONFIRMED,
                         confirmed_at=utcnow(), receive_updates=i < opted_in)
        for i in range(confirmed)
    ]  # fmt: skip
    for _ in range(pending):
        SignatureFactory(campaign=campaign, revision=revision, receive_updates=True)
    db.session.flush()
    return made


def _reword_first_demand(campaign, owner, text="Publish every political ad, with its targeting."):
    demand = campaign.sections[0].demands[0]
    services.update_demand(demand, owner, text, demand.topics, [])
    return revisions.draft_revision(campaign)


def test_the_impact_counts_confirmed_signatures_whose_signed_text_changes(published, owner):
    from organizer.signatures import revision_notices

    first = revisions.published_revision(published)
    _signers(published, first, confirmed=3, opted_in=2)
    draft = _reword_first_demand(published, owner)
    assert revision_notices.impact(published, draft) == revision_notices.Impact(3, 2)


def test_adding_or_moving_demands_affects_no_signature(published, owner):
    from organizer.signatures import revision_notices

    _signers(published, revisions.published_revision(published), confirmed=3)
    services.add_demand(published.sections[0], owner, "A new demand.", ["privacy"], [])
    services.move_demand(published.sections[0].demands[0], owner, 1)
    draft = revisions.draft_revision(published)
    assert revision_notices.impact(published, draft) == revision_notices.Impact(0, 0)


def test_removing_a_demand_affects_signers_of_every_earlier_revision_it_was_in(published, owner):
    from organizer.signatures import revision_notices

    _signers(published, revisions.published_revision(published), confirmed=2)
    second = publish_after(published, owner)
    _signers(published, second, confirmed=3, opted_in=3)
    services.delete_demand(published.sections[1].demands[0], owner)  # in both revisions
    draft = revisions.draft_revision(published)
    assert revision_notices.impact(published, draft) == revision_notices.Impact(5, 4)


def publish_after(campaign, owner):
    _reword_first_demand(campaign, owner, "Publish every ad.")
    return publish(campaign, owner, "Shorter.")


def test_the_publish_page_says_how_many_signatures_the_change_affects(app, client):
    from .conftest import login, setup

    with setup(app):
        owner = UserFactory()
        campaign = build_campaign(owner, slug="reword")
        publish(campaign, owner, "First.")
        _signers(campaign, revisions.published_revision(campaign), confirmed=3, opted_in=1)
        _reword_first_demand(campaign, owner)
        email = owner.email
    login(client, email)
    html = client.get("/organize/reword/publish").get_data(as_text=True)
    assert (
        "This revision rewords or removes demands that 3 confirmed signatures were given on."
        in html
    )
    assert "1 of these signers opted into updates and will get one email" in html


def test_the_public_page_shows_who_signed_this_revision_and_earlier_ones(app, client):
    from .conftest import setup

    saved = app.config["REVISION_COUNTS_CACHE_SECONDS"]
    app.config["REVISION_COUNTS_CACHE_SECONDS"] = 0
    try:
        with setup(app):
            owner = UserFactory()
            campaign = build_campaign(owner, slug="two-texts")
            publish(campaign, owner, "First.")
            _signers(campaign, revisions.published_revision(campaign), confirmed=3)
            second = publish_after(campaign, owner)
            _signers(campaign, second, confirmed=1)
        html = client.get("/c/two-texts").get_data(as_text=True)
    finally:
        app.config["REVISION_COUNTS_CACHE_SECONDS"] = saved
    assert "1 person signed this text, revision 2." in html
    assert "3 signed earlier revisions." in html


@pytest.mark.integration
def test_earlier_signers_who_opted_in_get_one_email_with_the_diff(
    app, services, committed_db, worker
):
    from sqlalchemy import select

    from organizer.mail.models import OutboundEmail
    from organizer.signatures import revision_notices
    from organizer.signatures.mailing import manage_url
    from organizer.signatures.tallies import RevisionNoticeJob
    from tests.support.services import wait_for
    from tests.support.web import submit

    from .conftest import login

    with app.app_context():
        owner = UserFactory(email="olive@example.org")
        campaign = build_campaign(owner, slug="notice")
        publish(campaign, owner, "First.")
        ada, bob = _signers(campaign, revisions.published_revision(campaign), confirmed=2)
        ada.email, bob.email = "ada@example.org", "bob@example.org"
        _reword_first_demand(campaign, owner)
        db.session.commit()
        ada_id, bob_id, withdraw_link = ada.id, bob.id, manage_url(ada)
    client = app.test_client()
    login(client, "olive@example.org")
    response = submit(client, "/organize/notice/publish", {"note": "Targeting."})
    assert response.status_code == 302

    message = services.smtp.wait_for_message("ada@example.org", timeout=60)
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "You signed revision 1" in plain and "revision 2" in plain
    assert "Reworded A1: Publish every political ad{+, with its targeting+}." in plain
    assert "<ins" in html and "targeting" in html
    assert withdraw_link in plain and withdraw_link.replace("&", "&amp;") in html

    with app.app_context():
        revision_id = revisions.published_revision(campaign_for("notice")).id

        def finished():
            db.session.rollback()
            job = db.session.get(RevisionNoticeJob, revision_id)
            return job is not None and job.finished_at is not None

        wait_for(finished, 60, what="the notice job")
        # A sweep or a retry from the start queues nothing twice.
        job = db.session.get(RevisionNoticeJob, revision_id)
        job.finished_at, job.last_signature_id = None, 0
        while not revision_notices.run_step(revision_id):
            pass
        db.session.commit()
        notices = db.session.scalars(
            select(OutboundEmail.related_id).where(OutboundEmail.kind == "revision_notice")
        ).all()
        assert notices == [ada_id]
        assert bob_id not in notices


def campaign_for(slug):
    return services.get_by_slug(slug)


def test_a_notice_job_left_unfinished_is_found_by_the_sweep_and_finished_once(published, owner):
    from sqlalchemy import select

    from organizer.mail.models import OutboundEmail
    from organizer.signatures import revision_notices

    first = revisions.published_revision(published)
    told, _quiet = _signers(published, first, confirmed=2, opted_in=1)
    _reword_first_demand(published, owner)
    second = publish(published, owner, "Targeting.")
    assert revision_notices.start(second) is not None
    db.session.info.clear()  # as if the broker had lost the task: only the row remains
    assert revision_notices.unfinished() == [second.id]
    while not revision_notices.run_step(second.id):
        pass
    assert revision_notices.unfinished() == []
    assert revision_notices.run_step(second.id) is True  # a late retry does nothing
    keys = db.session.scalars(
        select(OutboundEmail.idempotency_key).where(OutboundEmail.kind == "revision_notice")
    ).all()
    assert keys == [f"revision:{second.id}:signature:{told.id}"]


def test_a_revision_that_only_adds_demands_starts_no_notice(published, owner):
    from organizer.signatures import revision_notices

    _signers(published, revisions.published_revision(published), confirmed=2, opted_in=2)
    services.add_demand(published.sections[0], owner, "A new demand.", ["privacy"], [])
    assert revision_notices.start(publish(published, owner, "More.")) is None
