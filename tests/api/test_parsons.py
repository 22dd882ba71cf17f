"""Parsons' Action Network connector, unchanged, against a live gunicorn of the test stack.

The connector has no base-URL argument: its module's API_URL is read when it is built.
Parsons' create_signature, create_attendance, update_signature and update_attendance
cannot work against any server (docs/api.md); tests/api/test_*_write.py test those
helpers with plain HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from organizer.extensions import db
from tests.api.conftest import build_world, make_token

pytestmark = [
    pytest.mark.integration,
    # `import parsons` warns that pip now installs only its core dependencies. A mark, not
    # an ini filter: addopts' -W error comes after the ini filters and would win over them.
    pytest.mark.filterwarnings(
        "ignore:The behavior of 'pip install parsons' has changed:RuntimeWarning"
    ),
]


@pytest.fixture
def connector(app, committed_db, api_server, monkeypatch):
    import parsons.action_network.action_network as module
    from parsons import ActionNetwork

    with app.app_context():
        world = build_world(people=30)
        db.session.commit()
    token = make_token(app, world.group_id, "write", label="Parsons")
    monkeypatch.setattr(module, "API_URL", f"{api_server}/api/v2")
    return ActionNetwork(api_token=token), world


def _ids(rows: Any) -> list[str]:
    return [row["identifiers"][0].split(":", 1)[1] for row in rows]


def _sql(app, statement: str, **params: Any) -> None:
    with app.app_context():
        db.session.execute(text(statement), params)
        db.session.commit()


def test_parsons_reads_people_past_one_page(connector):
    an, world = connector
    people = an.get_people()
    assert people.num_rows == 30
    assert _ids(people) == world.people
    assert an.get_people(limit=27).num_rows == 27
    person = an.get_person(world.signers[0])
    assert (person["given_name"], person["family_name"]) == ("Ada", "Lovelace")
    assert person["email_addresses"][0]["address"] == "ada@example.org"


def test_parsons_upserts_a_person_then_updates_them(app, connector):
    an, world = connector
    created = an.upsert_person(
        email_address="nora@example.org", given_name="Nora", family_name="Nouvelle",
        tags=["volunteer"], member="yes",
    )  # fmt: skip
    assert created["created_date"] == created["modified_date"]
    (person_id,) = _ids([created])
    assert created["custom_fields"] == {"member": "yes"}
    assert created["email_addresses"][0]["status"] == "unsubscribed"
    # As if created an hour ago, so that the update shows in modified_date.
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    _sql(app, "UPDATE supporter SET created_at = :t, updated_at = :t WHERE public_id = :p",
         t=hour_ago, p=person_id)  # fmt: skip
    updated = an.upsert_person(email_address="nora@example.org", given_name="Nora",
                               family_name="Durand")  # fmt: skip
    assert _ids([updated]) == [person_id]
    assert updated["family_name"] == "Durand"
    assert updated["modified_date"] > updated["created_date"]
    assert an.get_people().num_rows == 31
    taggings = an.get_taggings(world.tag)
    people = [t["_links"]["osdi:person"]["href"].rsplit("/", 1)[1] for t in taggings]
    assert person_id in people


def test_parsons_adds_a_tag_and_tags_a_person(connector):
    an, world = connector
    tag = an.add_tag("donor")
    assert tag["name"] == "donor"
    (tag_id,) = _ids([tag])
    # Parsons sends the person as a full URL; only its last segment counts.
    href = f"https://actionnetwork.org/api/v2/people/{world.people[-1]}"
    an.create_tagging(tag_id, {"_links": {"osdi:person": {"href": href}}})
    an.create_tagging(tag_id, {"_links": {"osdi:person": {"href": href}}},
                      background_processing=True)  # a second time changes nothing  # fmt: skip
    taggings = an.get_taggings(tag_id)
    assert [t["_links"]["osdi:person"]["href"].rsplit("/", 1)[1] for t in taggings] == [
        world.people[-1]
    ]
    assert "donor" in [t["name"] for t in an.get_tags()]


def test_parsons_reads_petitions_and_signatures(connector):
    an, world = connector
    petitions = an.get_petitions()
    assert _ids(petitions) == [world.petition]
    petition = an.get_petition(world.petition)
    assert petition["title"] == "Platform accountability"
    assert "Publish every political ad." in petition["petition_text"]
    signatures = an.get_petition_signatures(world.petition)
    assert _ids(signatures) == world.signatures
    assert [s["action_network:person_id"] for s in signatures] == world.signers
    mine = an.get_person_signatures(world.signers[1])
    assert _ids(mine) == world.signatures[1:]


def test_parsons_reads_events_and_attendances(connector):
    an, world = connector
    events = an.get_events()
    assert _ids(events) == [world.event]
    event = an.get_event(world.event)
    assert event["location"]["locality"] == "Lyon"
    assert event["total_accepted"] == 1
    attendances = an.get_event_attendances(world.event)
    assert _ids(attendances) == world.attendances
    assert attendances[0]["action_network:person_id"] == world.signers[0]


def test_parsons_reads_messages_with_their_statistics(connector):
    an, world = connector
    messages = an.get_messages(unpack_statistics=True)
    assert _ids(messages) == [world.message]
    (message,) = messages.to_dicts()
    assert message["subject"] == "We won"
    assert message["sent"] == 0 and "spam_reports" in message


def test_parsons_filters_on_modified_date(app, connector):
    an, world = connector
    old = datetime(2025, 6, 1, tzinfo=UTC)
    _sql(app, "UPDATE supporter SET updated_at = :t WHERE public_id <> ALL(:recent)",
         t=old, recent=world.people[-5:])  # fmt: skip
    recent = an.get_people(filter="modified_date gt '2026-01-01'")
    assert _ids(recent) == world.people[-5:]
    older = an.get_people(filter="modified_date lt '2026-01-01' and modified_date gt '2025-01-01'")
    assert older.num_rows == 25
    assert an.get_people(filter="modified_date gt '2999-01-01'").num_rows == 0
