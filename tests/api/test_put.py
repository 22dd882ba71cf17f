"""PUT on signatures and attendances, including Parsons' form-encoded bodies."""

from __future__ import annotations

import pytest

from tests.api.conftest import public_id
from tests.api.writing import CONSENT, make_world, person, send

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def world(app, db_session):
    return make_world(app, capacity=1)


def test_put_on_a_signature_changes_its_source_and_refuses_comments(client, world):
    made = send(client, "POST", f"/petitions/{world.petition}/signatures", world.write,
                {"person": person("ada@example.org")}).get_json()  # fmt: skip
    path = f"/petitions/{world.petition}/signatures/{public_id(made)}"
    changed = send(client, "PUT", path, world.write,
                   {"action_network:referrer_data": {"source": "flyer"}})  # fmt: skip
    assert changed.status_code == 200
    assert changed.get_json()["action_network:referrer_data"] == {"source": "flyer"}
    # What Parsons' update_signature sends: a form-encoded dict under a JSON content type.
    quirk = send(client, "PUT", path, world.write, "comments=Some+new+comments", headers=JSON)
    assert quirk.status_code == 422
    assert "comments" in quirk.get_json()["error"]
    empty = send(client, "PUT", path, world.write, "comments=", headers=JSON)
    assert empty.status_code == 200


def attend(client, world, email, token=None, **extra):
    return send(client, "POST", f"/events/{world.event}/attendances", token or world.importer,
                {"person": person(email, given_name=email.split("@")[0]),
                 "action_network:consent": CONSENT, **extra})  # fmt: skip


def test_put_declined_frees_the_place_for_the_waitlist(client, world):
    first = attend(client, world, "ada@example.org").get_json()
    second = attend(client, world, "bo@example.org").get_json()
    assert (first["status"], second["status"]) == ("accepted", "tentative")
    path = f"/events/{world.event}/attendances/{public_id(first)}"
    # Parsons' update_attendance form-encodes its payload.
    declined = send(client, "PUT", path, world.write, "status=declined", headers=JSON)
    assert declined.status_code == 200
    assert declined.get_json()["status"] == "declined"
    promoted = send(client, "GET", f"/events/{world.event}/attendances/{public_id(second)}",
                    world.reader)  # fmt: skip
    assert promoted.get_json()["status"] == "accepted"


def test_put_accepted_cannot_jump_the_waitlist(client, world):
    attend(client, world, "ada@example.org")
    waiting = attend(client, world, "bo@example.org").get_json()
    path = f"/events/{world.event}/attendances/{public_id(waiting)}"
    response = send(client, "PUT", path, world.write, {"status": "accepted"})
    assert response.status_code == 409
    assert "waitlist" in response.get_json()["error"]
    assert send(client, "PUT", path, world.write, {"status": "maybe"}).status_code == 400
