"""The person signup helper, tags and taggings, under the supporter list's consent rule."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from organizer.audit.models import AuditLog
from organizer.audit.sentences import describe
from organizer.extensions import db
from organizer.supporters.models import ConsentEvent, Supporter, SupporterStatus, Tag
from organizer.supporters.tags import tags_of
from tests.api.conftest import public_id
from tests.api.writing import CONSENT, mails_to, make_world, person, send
from tests.campaigns.conftest import setup
from tests.factories import SupporterFactory

ORIGIN = {"Origin": "http://localhost"}


@pytest.fixture
def world(app, db_session):
    return make_world(app)


def supporter(app, public):
    with app.app_context():
        found = db.session.scalar(select(Supporter).where(Supporter.public_id == public))
        db.session.expunge(found)
        return found


def test_a_write_token_adds_an_unsubscribed_person_and_mails_nobody(app, client, world):
    body = {"person": person("ada@example.org", given_name="Ada", family_name="Lovelace",
                             custom_fields={"member_no": 42, "active": True, "note": "x"}),
            "add_tags": ["volunteer", "Volunteer", "cyclist"]}  # fmt: skip
    response = send(client, "POST", "/people", world.write, body)
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/hal+json"
    made = response.get_json()
    assert made["created_date"] == made["modified_date"]
    assert made["email_addresses"][0]["status"] == "unsubscribed"
    assert made["custom_fields"] == {"member_no": "42", "active": "true", "note": "x"}
    assert (made["given_name"], made["family_name"]) == ("Ada", "Lovelace")
    assert mails_to(app, "ada@example.org") == []
    with app.app_context():
        found = db.session.scalar(select(Supporter).where(Supporter.public_id == public_id(made)))
        assert sorted(t.name for t in tags_of(found)) == ["cyclist", "volunteer"]
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "api.person_created"))
        assert entry.details["token"] == "CRM sync" and entry.object_id == found.id
        assert "ada@example.org" not in str(entry.details)
        assert describe(entry) == "The API token “CRM sync” added a supporter."


def test_the_same_canonical_email_updates_the_same_person(app, client, world):
    first = send(client, "POST", "/people", world.write,
                 {"person": person("J.Doe@gmail.com", given_name="Jo")}).get_json()  # fmt: skip
    again = send(client, "POST", "/people?background_processing=True", world.write,
                 {"person": person("jdoe+news@googlemail.com", family_name="Doe",
                                   custom_fields={})}).get_json()  # fmt: skip
    assert public_id(again) == public_id(first)
    assert again["created_date"] == first["created_date"]
    assert again["email_addresses"][0]["address"] == "jdoe+news@googlemail.com"
    # Only the family name was sent the second time: the given name stays.
    assert (again["given_name"], again["family_name"]) == ("Jo", "Doe")


def test_a_write_token_cannot_subscribe_anyone(app, client, world):
    body = {"person": person("bea@example.org", status="subscribed")}
    response = send(client, "POST", "/people", world.write, body)
    assert response.status_code == 422
    assert "import scope" in response.get_json()["error"]
    with app.app_context():
        assert db.session.scalar(select(Supporter)) is None
    attested = {**body, "action_network:consent": CONSENT}
    assert send(client, "POST", "/people", world.write, attested).status_code == 403


def test_an_import_token_subscribes_with_the_consent_text_it_names(app, client, world):
    body = {"person": person("cy@example.org", status="subscribed"),
            "action_network:consent": CONSENT}  # fmt: skip
    response = send(client, "POST", "/people", world.importer, body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["email_addresses"][0]["status"] == "subscribed"
    with app.app_context():
        (event,) = db.session.scalars(select(ConsentEvent))
        assert (event.source_type, event.granted) == ("api", True)
        assert event.text_version.startswith("import:")
        assert event.at.date().isoformat() == "2026-03-01"
        entry = db.session.get(AuditLog, event.source_id)
        assert entry.details["token"] == "Old list import"
        assert entry.details["consent_wording"] == CONSENT["text"]
        assert "consent text it attested" in describe(entry)
    without = {"person": person("dee@example.org", status="subscribed")}
    assert send(client, "POST", "/people", world.importer, without).status_code == 422


def test_an_update_never_subscribes_without_the_attestation(app, client, world):
    with setup(app):
        quit_ = SupporterFactory(group_id=world.group_id, email="quit@example.org",
                                 status=SupporterStatus.UNSUBSCRIBED).public_id  # fmt: skip
    body = {"person": person("quit@example.org", status="subscribed")}
    assert send(client, "POST", "/people", world.write, body).status_code == 422
    assert send(client, "PUT", f"/people/{quit_}", world.write,
                {"email_addresses": [{"address": "quit@example.org",
                                      "status": "subscribed"}]}).status_code == 422  # fmt: skip
    assert supporter(app, quit_).status == SupporterStatus.UNSUBSCRIBED


def test_autoresponse_invites_once_and_the_person_subscribes_themselves(app, client, world):
    body = {"person": person("eve@example.org", status="subscribed"),
            "triggers": {"autoresponse": {"enabled": True}}}  # fmt: skip
    made = send(client, "POST", "/people", world.write, body).get_json()
    assert made["email_addresses"][0]["status"] == "unsubscribed"
    send(client, "POST", "/people", world.write, body)
    assert mails_to(app, "eve@example.org") == ["supporter_optin"]
    with app.app_context():
        from organizer.mail.models import OutboundEmail

        text = db.session.scalar(select(OutboundEmail.text_body))
    link = re.search(r"https?://\S+/subscribe/\S+", text).group(0)
    path = link.split("://", 1)[1].partition("/")[2]
    page = client.get(f"/{path}")
    assert page.status_code == 200
    assert "Yes, send me updates from" in page.get_data(as_text=True)
    assert supporter(app, public_id(made)).status == SupporterStatus.UNSUBSCRIBED
    done = client.post(f"/{path}", headers=ORIGIN)
    assert done.status_code == 200
    assert supporter(app, public_id(made)).status == SupporterStatus.SUBSCRIBED
    with app.app_context():
        (event,) = db.session.scalars(select(ConsentEvent))
        assert (event.source_type, event.text_version) == ("optin", "optin-2026-1")
    assert client.post(f"/{path}", headers=ORIGIN).status_code == 404


def test_nobody_who_said_no_is_invited_again(app, client, world):
    from organizer.supporters.status import change_status

    with setup(app):
        gone = SupporterFactory(group_id=world.group_id, email="gone@example.org")
        change_status(gone, SupporterStatus.UNSUBSCRIBED, source_type="unsubscribe")
    body = {"person": person("gone@example.org"), "triggers": {"autoresponse": {"enabled": True}}}
    assert send(client, "POST", "/people", world.write, body).status_code == 200
    assert mails_to(app, "gone@example.org") == []


def test_put_changes_the_fields_given_and_reads_form_encoded_bodies(app, client, world):
    made = send(client, "POST", "/people", world.write,
                {"person": person("fay@example.org", given_name="Fay",
                                  custom_fields={"a": "1"})}).get_json()  # fmt: skip
    path = f"/people/{public_id(made)}"
    changed = send(client, "PUT", path, world.write,
                   {"family_name": "Wray", "given_name": "Fay",
                    "postal_addresses": [{"postal_code": "75011", "country": "fr"}],
                    "custom_fields": {"b": 2}}).get_json()  # fmt: skip
    assert changed["family_name"] == "Wray"
    assert changed["custom_fields"] == {"a": "1", "b": "2"}
    assert changed["postal_addresses"][0] == {"primary": True, "postal_code": "75011",
                                              "country": "FR"}  # fmt: skip
    # Parsons' quirk: a dict form-encoded under a JSON content type.
    quirk = send(client, "PUT", path, world.write, "given_name=Faye&family_name=Wray",
                 headers={"Content-Type": "application/json"})  # fmt: skip
    assert quirk.status_code == 200
    assert quirk.get_json()["given_name"] == "Faye"
    gone = send(
        client,
        "PUT",
        path,
        world.write,
        {"email_address": {"address": "fay@example.org", "status": "unsubscribed"}},
    )
    assert gone.get_json()["email_addresses"][0]["status"] == "unsubscribed"


def test_put_refuses_an_email_another_person_has(app, client, world):
    send(client, "POST", "/people", world.write, {"person": person("gil@example.org")})
    made = send(client, "POST", "/people", world.write, {"person": person("hal@example.org")})
    response = send(client, "PUT", f"/people/{public_id(made.get_json())}", world.write,
                    {"email_address": "gil@example.org"})  # fmt: skip
    assert response.status_code == 409
    assert send(client, "PUT", "/people/no-such-id", world.write, {}).status_code == 404


def test_bad_bodies_are_refused_with_a_message(client, world):
    for body, status in (
        (b"{not json", 400),
        ({"person": {"email_addresses": []}}, 400),
        ({"person": person("not-an-address")}, 400),
        ({"person": person("x@example.org", custom_fields={"deep": {"a": 1}})}, 400),
        ({"person": person("x@example.org", postal_addresses=[{"country": "QQ"}])}, 400),
        ({"person": person("x@example.org", status="maybe")}, 400),
        ({"person": person("x\u0000@example.org")}, 400),
        ([], 400),
    ):
        response = send(client, "POST", "/people", world.write, body,
                        headers={"Content-Type": "application/json"})  # fmt: skip
        assert response.status_code == status, body
        assert response.get_json()["error"]


def test_a_read_token_writes_nothing(client, world):
    response = send(client, "POST", "/people", world.reader, {"person": person("i@example.org")})
    assert response.status_code == 403


def test_tags_and_taggings(app, client, world):
    tag = send(client, "POST", "/tags", world.write, {"name": "Donors"}).get_json()
    same = send(client, "POST", "/tags", world.write, {"name": "donors"}).get_json()
    assert public_id(same) == public_id(tag)
    made = send(client, "POST", "/people", world.write, {"person": person("jo@example.org")})
    href = f"https://actionnetwork.org/api/v2/people/{public_id(made.get_json())}"
    path = f"/tags/{public_id(tag)}/taggings"
    tagging = send(client, "POST", path, world.write,
                   {"_links": {"osdi:person": {"href": href}}})  # fmt: skip
    assert tagging.status_code == 200, tagging.get_json()
    again = send(client, "POST", path, world.write, {"_links": {"osdi:person": {"href": href}}})
    assert public_id(again.get_json()) == public_id(tagging.get_json())
    with app.app_context():
        assert db.session.scalar(select(Tag.name)) == "Donors"
    deleted = send(client, "DELETE", f"{path}/{public_id(tagging.get_json())}", world.write)
    assert deleted.status_code == 200
    assert "deleted" in deleted.get_json()["notice"]
    assert send(client, "GET", path, world.reader).get_json()["total_records"] == 0
    nobody = {"_links": {"osdi:person": {"href": "https://x.example/api/v2/people/nope"}}}
    assert send(client, "POST", path, world.write, nobody).status_code == 404


def test_erasing_a_person_erases_the_custom_fields_a_client_sent(app, client, world):
    from organizer.supporters.erase import erase

    made = send(client, "POST", "/people", world.write,
                {"person": person("kim@example.org", custom_fields={"phone": "0612"})})  # fmt: skip
    with app.app_context():
        found = db.session.scalar(select(Supporter))
        erase(found, None)
        db.session.commit()
        assert found.custom_fields == {}
    gone = send(client, "GET", f"/people/{public_id(made.get_json())}", world.reader)
    assert gone.status_code == 404
