"""The read routes: each resource as Parsons and Action Network clients read it."""

from __future__ import annotations

import re

from sqlalchemy import select

from organizer.events.models import Event
from organizer.extensions import db
from organizer.signatures import counting
from organizer.supporters.models import Supporter
from tests.api.conftest import HAL, api_get, embedded, make_token, public_id
from tests.campaigns.conftest import setup
from tests.factories import GroupFactory, SupporterFactory


def test_people_are_the_groups_supporters_only(app, client, group_id):
    with setup(app):
        ada = SupporterFactory(group_id=group_id, name="Ada Lovelace", email="ada@example.org",
                               postal_code="N1 9GU", country="GB").public_id  # fmt: skip
        SupporterFactory(group=GroupFactory(), email="other@example.org")
    token = make_token(app, group_id)
    response = api_get(client, "/people", token)
    assert response.status_code == 200
    assert response.mimetype == HAL
    (person,) = embedded(response)
    assert public_id(person) == ada
    assert person["given_name"] == "Ada"
    assert person["family_name"] == "Lovelace"
    assert person["email_addresses"] == [
        {"address": "ada@example.org", "primary": True, "status": "subscribed"}
    ]
    assert person["postal_addresses"][0]["postal_code"] == "N1 9GU"
    assert person["_links"]["self"]["href"].endswith(f"/api/v2/people/{ada}")


def test_a_person_of_another_group_is_not_found(app, client, world):
    token = make_token(app, world.group_id)
    response = api_get(client, f"/people/{world.other_group_person}", token)
    assert response.status_code == 404
    assert "person" in response.get_json()["error"]
    assert api_get(client, f"/people/{world.signers[0]}", token).status_code == 200


def test_an_erased_supporter_is_gone(app, client, world):
    from organizer.supporters.erase import erase

    with setup(app):
        supporter = db.session.scalar(
            select(Supporter).where(Supporter.public_id == world.signers[1])
        )
        erase(supporter, None)
    token = make_token(app, world.group_id)
    listed = {public_id(p) for p in embedded(api_get(client, "/people", token))}
    assert world.signers[1] not in listed and world.signers[0] in listed
    assert api_get(client, f"/people/{world.signers[1]}", token).status_code == 404
    signatures = embedded(api_get(client, f"/petitions/{world.petition}/signatures", token))
    people = [s.get("action_network:person_id") for s in signatures]
    assert world.signers[1] not in people and world.signers[0] in people


def test_a_petition_carries_its_text_and_count(app, client, world):
    with setup(app):
        counting.fold()
    token = make_token(app, world.group_id)
    (listed,) = embedded(api_get(client, "/petitions", token))
    petition = api_get(client, f"/petitions/{world.petition}", token).get_json()
    assert listed == petition
    assert petition["title"] == "Platform accountability"
    assert petition["description"] == "Make platforms answer."
    assert "Publish every political ad." in petition["petition_text"]
    assert petition["total_signatures"] == 2
    assert petition["browser_url"].endswith("/c/riders-petition")
    assert petition["created_date"].endswith("Z")


def test_signatures_of_a_petition_and_of_a_person(app, client, world):
    token = make_token(app, world.group_id)
    signatures = embedded(api_get(client, f"/petitions/{world.petition}/signatures", token))
    assert [public_id(s) for s in signatures] == world.signatures
    assert [s["action_network:person_id"] for s in signatures] == world.signers
    assert signatures[0]["status"] == "confirmed"
    assert signatures[0]["_links"]["osdi:person"]["href"].endswith(world.signers[0])
    mine = embedded(api_get(client, f"/people/{world.signers[0]}/signatures", token))
    assert [public_id(s) for s in mine] == world.signatures[:1]
    one = api_get(client, f"/petitions/{world.petition}/signatures/{world.signatures[0]}", token)
    assert one.get_json() == signatures[0]


def test_events_and_their_attendances(app, client, world):
    token = make_token(app, world.group_id)
    (event,) = embedded(api_get(client, "/events", token))
    assert public_id(event) == world.event
    assert event["location"]["locality"] == "Lyon"
    assert event["location"]["address_lines"] == ["12 rue des Lilas"]
    assert event["status"] == "confirmed"
    assert event["capacity"] == 10
    assert event["total_accepted"] == 1
    assert event["visibility"] == "public"
    (attendance,) = embedded(api_get(client, f"/events/{world.event}/attendances", token))
    assert public_id(attendance) == world.attendances[0]
    assert attendance["status"] == "accepted"
    assert attendance["action_network:person_id"] == world.signers[0]
    mine = embedded(api_get(client, f"/people/{world.signers[0]}/attendances", token))
    assert mine == [attendance]
    assert embedded(api_get(client, f"/people/{world.signers[1]}/attendances", token)) == []


def test_hidden_addresses_and_online_links_need_the_write_scope(app, client, world):
    with setup(app):
        event = db.session.scalar(select(Event).where(Event.public_id == world.event))
        event.is_home = True
        event.online_link = "https://meet.example.org/film"
    reader = make_token(app, world.group_id)
    writer = make_token(app, world.group_id, "write")
    seen = api_get(client, f"/events/{world.event}", reader).get_json()
    assert "address_lines" not in seen["location"]
    assert "online_url" not in seen
    assert seen["location"]["locality"] == "Lyon"
    full = api_get(client, f"/events/{world.event}", writer).get_json()
    assert full["location"]["address_lines"] == ["12 rue des Lilas"]
    assert full["online_url"] == "https://meet.example.org/film"


def test_tags_and_taggings(app, client, world):
    token = make_token(app, world.group_id)
    (tag,) = embedded(api_get(client, "/tags", token))
    assert tag["name"] == "volunteer"
    assert api_get(client, f"/tags/{world.tag}", token).get_json() == tag
    (tagging,) = embedded(api_get(client, f"/tags/{world.tag}/taggings", token))
    assert tagging["_links"]["osdi:person"]["href"].endswith(f"/people/{world.signers[0]}")
    assert tagging["_links"]["osdi:tag"]["href"].endswith(f"/tags/{world.tag}")
    one = api_get(client, f"/tags/{world.tag}/taggings/{public_id(tagging)}", token)
    assert one.get_json() == tagging


def test_messages_carry_aggregate_statistics_only(app, client, world):
    token = make_token(app, world.group_id)
    (message,) = embedded(api_get(client, "/messages", token))
    assert public_id(message) == world.message
    assert message["subject"] == "We won"
    assert message["status"] == "sent"
    assert message["total_targeted"] == 2
    assert set(message["statistics"]) == {
        "sent", "failed", "cancelled", "bounced", "spam_reports", "unsubscribed"
    }  # fmt: skip
    assert api_get(client, f"/messages/{world.message}", token).get_json() == message


def test_entry_point_links_every_collection_with_curies(app, client, world):
    token = make_token(app, world.group_id)
    body = api_get(client, "/", token).get_json()
    links = body["_links"]
    assert {"osdi:people", "osdi:tags", "osdi:petitions", "osdi:events", "osdi:messages"} <= set(
        links
    )
    assert [c["name"] for c in links["curies"]] == ["osdi", "action_network"]
    assert body["max_pagesize"] == 25
    assert api_get(client, "", token).status_code == 200


def test_trailing_slashes_are_accepted(app, client, world):
    token = make_token(app, world.group_id)
    assert api_get(client, "/people/", token).status_code == 200
    assert api_get(client, f"/petitions/{world.petition}/", token).status_code == 200
    assert api_get(client, f"/events/{world.event}/attendances/", token).status_code == 200


def test_an_unknown_path_is_a_json_404(app, client, world):
    token = make_token(app, world.group_id)
    response = api_get(client, "/donations", token)
    assert response.status_code == 404
    assert set(response.get_json()) == {"error"}
    assert client.delete("/api/v2/people", headers={"OSDI-API-Token": token}).status_code == 405


def test_dates_are_utc_to_the_second_with_a_z(app, client, world):
    token = make_token(app, world.group_id)
    person = api_get(client, f"/people/{world.signers[0]}", token).get_json()
    for key in ("created_date", "modified_date"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", person[key]), person[key]


def test_the_api_sets_no_cookie(app, client, world):
    token = make_token(app, world.group_id)
    for path in ("/people", f"/people/{world.signers[0]}", "/nothing-here"):
        response = api_get(client, path, token)
        assert "Set-Cookie" not in response.headers, path
    assert "Set-Cookie" not in api_get(client, "/people", None).headers
