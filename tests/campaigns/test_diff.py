from __future__ import annotations

import copy

from hypothesis import given
from hypothesis import strategies as st

from organizer.campaigns import revisions, services
from organizer.campaigns.diff import diff_snapshots, word_diff

from .conftest import build_campaign, publish


def snap(*sections, preamble=""):
    return {
        "format": 1,
        "preamble": preamble,
        "sections": [
            {
                "uid": f"s{i}",
                "title": title,
                "topics": [],
                "demands": [
                    {"uid": uid, "text": text, "topics": [], "jurisdictions": []}
                    for uid, text in demands
                ],
            }
            for i, (title, demands) in enumerate(sections)
        ],
    }


BASE = snap(
    ("Ads", [("a", "Publish ads."), ("b", "Audit ads."), ("c", "Stop ads.")]),
    ("Kids", [("d", "Raise the age.")]),
)


def kinds(diff):
    return sorted((c.kind, (c.new or c.old).label, c.reworded, c.moved) for c in diff.demands)


def test_identical_snapshots_have_an_empty_diff():
    assert diff_snapshots(BASE, copy.deepcopy(BASE)).is_empty


def test_added_and_removed_demands():
    new = snap(
        ("Ads", [("a", "Publish ads."), ("c", "Stop ads."), ("e", "Label ads.")]),
        ("Kids", [("d", "Raise the age.")]),
    )
    diff = diff_snapshots(BASE, new)
    assert kinds(diff) == [("added", "A3", False, False), ("removed", "A2", False, False)]
    assert diff.count("added") == 1 and diff.count("removed") == 1
    assert diff.count("moved") == 0  # c went from A3 to A2 only because b left


def test_reworded_demand_gets_a_word_diff():
    new = copy.deepcopy(BASE)
    new["sections"][0]["demands"][1]["text"] = "Audit all political ads."
    [change] = diff_snapshots(BASE, new).demands
    assert change.reworded and not change.moved
    assert ("insert", "all political ") in change.words or any(
        op == "insert" and "all" in text for op, text in change.words
    )
    assert "".join(t for op, t in change.words if op != "delete") == "Audit all political ads."
    assert "".join(t for op, t in change.words if op != "insert") == "Audit ads."


def test_reordered_demand_is_moved_and_only_it():
    new = snap(
        ("Ads", [("c", "Stop ads."), ("a", "Publish ads."), ("b", "Audit ads.")]),
        ("Kids", [("d", "Raise the age.")]),
    )
    diff = diff_snapshots(BASE, new)
    assert kinds(diff) == [("changed", "A1", False, True)]


def test_a_demand_moved_to_another_section_is_moved():
    new = snap(
        ("Ads", [("a", "Publish ads."), ("b", "Audit ads.")]),
        ("Kids", [("c", "Stop ads."), ("d", "Raise the age.")]),
    )
    diff = diff_snapshots(BASE, new)
    assert kinds(diff) == [("changed", "B1", False, True)]


def test_retyped_identical_demand_is_not_removed_and_added():
    new = copy.deepcopy(BASE)
    new["sections"][1]["demands"][0]["uid"] = "new-uid"
    assert diff_snapshots(BASE, new).is_empty


def test_sections_and_preamble_changes():
    new = snap(
        ("Advertising", [("a", "Publish ads."), ("b", "Audit ads."), ("c", "Stop ads.")]),
        preamble="We demand:",
    )
    diff = diff_snapshots(BASE, new)
    assert [(s.kind, s.old_title, s.new_title) for s in diff.sections] == [
        ("renamed", "Ads", "Advertising"),
        ("removed", "Kids", None),
    ]
    assert diff.preamble == [("insert", "We demand:")]
    assert kinds(diff) == [("removed", "B1", False, False)]


@given(st.text(max_size=50), st.text(max_size=50))
def test_word_diff_rebuilds_both_texts(old, new):
    segments = word_diff(old, new)
    assert "".join(t for op, t in segments if op != "insert") == old
    assert "".join(t for op, t in segments if op != "delete") == new


def test_diff_between_published_revisions_of_a_campaign(owner):
    campaign = build_campaign(owner)
    first = publish(campaign, owner)
    first_section = campaign.sections[0]
    services.move_demand(first_section.demands[1], owner, -1)
    services.update_demand(
        campaign.sections[1].demands[0],
        owner,
        "Ask before using photos or messages for ads.",
        ["privacy"],
        [],
    )
    second = publish(campaign, owner)
    diff = diff_snapshots(first.snapshot, second.snapshot)
    assert diff.count("moved") == 1
    assert diff.count("reworded") == 1
    assert revisions.published_revision(campaign).number == 2
