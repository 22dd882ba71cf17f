from __future__ import annotations

import json
from pathlib import Path

import pytest

from organizer.campaigns import revisions, services
from organizer.campaigns.importing import (
    GrievanceFileError,
    export_snapshot,
    parse_grievance_file,
)

FIXTURE = (
    Path(__file__).resolve().parents[2]
    / "organizer/campaigns/templates_data/strike-2018-demands.json"
)


def problems(document) -> list[str]:
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    with pytest.raises(GrievanceFileError) as caught:
        parse_grievance_file(raw)
    return [str(p) for p in caught.value.problems]


def valid():
    return {
        "preamble": "We demand:",
        "sections": [
            {
                "title": "Ads",
                "topics": ["elections"],
                "demands": [{"text": "Publish ads.", "topics": ["transparency"]}],
            },
        ],
    }


def test_the_fixture_imports_with_17_demands_in_three_sections():
    text = parse_grievance_file(FIXTURE.read_bytes())
    assert [len(s.demands) for s in text.sections] == [9, 6, 2]
    assert text.sections[0].demands[7].jurisdictions == ["US"]
    assert text.title == "Facebook users' strike: our terms"


def test_broken_json_names_line_and_column():
    [message] = problems(b'{"preamble": "x",\n "sections": [}')
    assert "not valid JSON" in message
    assert "line 2" in message and "column" in message


def test_not_an_object():
    assert problems(b"[1, 2]") == ["The file must hold one JSON object."]


def test_an_unknown_topic_is_named_with_its_place():
    document = valid()
    document["sections"][0]["demands"][0]["topics"] = ["privacy", "astrology"]
    [message] = problems(document)
    assert message.startswith("sections[0].demands[0].topics[1]:")
    assert "astrology" in message and "privacy" in message


def test_an_unknown_country_code():
    document = valid()
    document["sections"][0]["demands"][0]["jurisdictions"] = ["US", "XX"]
    [message] = problems(document)
    assert message.startswith("sections[0].demands[0].jurisdictions[1]:")
    assert "XX" in message


def test_missing_text_wrong_letter_and_typo_are_all_reported_at_once():
    document = valid()
    document["sections"].append(
        {"letter": "C", "title": "Kids", "demands": [{"txt": "Raise the age."}]}
    )
    found = problems(document)
    assert any(m.startswith("sections[1].letter:") and "B" in m for m in found)
    assert any(m.startswith("sections[1].demands[0].txt:") for m in found)
    assert any(m.startswith("sections[1].demands[0].text:") for m in found)


def test_a_section_without_demands_and_no_sections():
    document = valid()
    document["sections"][0]["demands"] = []
    assert problems(document)[0].startswith("sections[0].demands:")
    assert problems({"preamble": "x"})[0].startswith("sections:")


def test_wrong_types():
    document = valid()
    document["sections"][0]["topics"] = "privacy"
    document["sections"][0]["title"] = 7
    found = problems(document)
    assert any(m.startswith("sections[0].topics:") for m in found)
    assert any(m.startswith("sections[0].title:") for m in found)


def test_not_utf8_and_too_large():
    assert "UTF-8" in problems("{}".encode("utf-16"))[0]
    assert "512 KB" in problems(b" " * (600 * 1024))[0]


def test_export_then_import_gives_the_same_hash(ctx, owner):
    campaign = services.create_campaign(
        owner, services.CampaignDetails(title="Strike", summary="2018.", language="en")
    )
    services.replace_text(campaign, owner, parse_grievance_file(FIXTURE.read_bytes()))
    first = revisions.draft_revision(campaign).content_hash
    exported = export_snapshot(revisions.build_snapshot(campaign), campaign.title, "en")
    again = services.create_campaign(
        owner, services.CampaignDetails(title="Again", summary="2018.", language="en")
    )
    services.replace_text(again, owner, parse_grievance_file(json.dumps(exported).encode()))
    assert revisions.draft_revision(again).content_hash == first
    assert exported["sections"][0]["letter"] == "A"
    assert exported["sections"][0]["demands"][7]["jurisdictions"] == ["US"]


def test_a_section_names_jurisdictions_its_demands_inherit(ctx, owner):
    text = parse_grievance_file(FIXTURE.read_bytes())
    assert text.sections[0].jurisdictions == ["GB", "US"]
    assert text.sections[1].jurisdictions == []
    campaign = services.create_campaign(
        owner, services.CampaignDetails(title="Strike", summary="2018.", language="en")
    )
    services.replace_text(campaign, owner, text)
    places = [d.jurisdictions for d in revisions.iter_demands(revisions.build_snapshot(campaign))]
    # A1 to A7 inherit the section's places; the hearings keep their own; B and C name none.
    assert places[:9] == [("GB", "US")] * 7 + [("US",), ("GB",)]
    assert places[9:] == [()] * 8
    # The snapshot holds them per demand, so an export re-imports to the same hash.
    exported = export_snapshot(revisions.build_snapshot(campaign), campaign.title, "en")
    assert revisions.hash_of_document(exported) == revisions.draft_revision(campaign).content_hash


def test_section_jurisdictions_are_checked_like_a_demands():
    document = valid()
    document["sections"][0]["jurisdictions"] = ["XX"]
    assert problems(document) == [
        "sections[0].jurisdictions[0]: “XX” is neither an ISO 3166 country code nor EU."
    ]


def test_a_section_without_jurisdictions_snapshots_byte_for_byte_as_before(ctx, owner):
    campaign = services.create_campaign(
        owner, services.CampaignDetails(title="Plain", summary="2018.", language="en")
    )
    section = services.add_section(campaign, owner, "Ads", ["elections"])
    services.add_demand(section, owner, "Publish ads.", ["transparency"], [])
    snapshot = revisions.build_snapshot(campaign)
    assert snapshot["sections"][0]["demands"][0]["jurisdictions"] == []
    assert "jurisdictions" not in snapshot["sections"][0]  # the format is unchanged
    services.update_section(section, owner, "Ads", ["elections"], ["FR"])
    assert revisions.build_snapshot(campaign)["sections"][0]["demands"][0]["jurisdictions"] == [
        "FR"
    ]
