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
