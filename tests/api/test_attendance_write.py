"""The record attendance helper: the RSVP rules (confirmation, capacity, waitlist) hold."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from organizer.audit.models import AuditLog
from organizer.events.models import RSVP, Event, EventStatus, RSVPStatus
from organizer.extensions import db
from organizer.mail.models import OutboundEmail
from organizer.supporters.models import Supporter, SupporterStatus
from tests.api.conftest import public_id
from tests.api.writing import CONSENT, mails_to, make_world, person, send

ORIGIN = {"Origin": "http://localhost"}


@pytest.fixture
def world(app, db_session):
    return make_world(app, capacity=1)


def helper(email, **extra):
    return {"person": person(email, given_name="Ada"),
            "triggers": {"autoresponse": {"enabled": True}},
            "action_network:referrer_data": {"source": "partner-x"}, **extra}  # fmt: skip


def confirm_link(app, client, address):
    with app.app_context():
        text = db.session.scalar(select(OutboundEmail.text_body)
                                 .where(OutboundEmail.to_addr == address,
                                        OutboundEmail.kind == "rsvp_confirm"))  # fmt: skip
    path = re.search(r"https?://[^/\s]+(/\S+)", text).group(1)
    return client.post(path, headers=ORIGIN)


def guest(app, public):
    with app.app_context():
        found = db.session.scalar(select(RSVP).where(RSVP.public_id == public))
        db.session.expunge(found)
        return found


def test_a_write_token_asks_the_guest_to_confirm_then_capacity_decides(app, client, world):
    path = f"/events/{world.event}/attendances"
    first = send(client, "POST", path, world.write, helper("ada@example.org"))
    assert first.status_code == 200, first.get_json()
    made = first.get_json()
    assert made["status"] == "needs action"
    assert made["action_network:referrer_data"] == {"source": "partner-x"}
    assert mails_to(app, "ada@example.org") == ["rsvp_confirm"]
    second = send(client, "POST", path, world.write, helper("bo@example.org")).get_json()
    confirm_link(app, client, "bo@example.org")
    confirm_link(app, client, "ada@example.org")
    assert guest(app, public_id(second)).status == RSVPStatus.GOING
    assert guest(app, public_id(made)).status == RSVPStatus.WAITLISTED
    with app.app_context():
        entry = db.session.scalar(
            select(AuditLog).where(AuditLog.action == "api.attendance_recorded")
        )
        assert entry.details["token"] == "CRM sync"


def test_posting_again_changes_nothing_and_mails_nobody(app, client, world):
    path = f"/events/{world.event}/attendances"
    attested = helper("cy@example.org", **{"action_network:consent": CONSENT})
    first = send(client, "POST", path, world.importer, attested).get_json()
    again = send(client, "POST", path, world.write, helper("cy@example.org")).get_json()
    assert public_id(again) == public_id(first)
    assert again["status"] == "accepted"
    assert mails_to(app, "cy@example.org") == ["rsvp_going"]


def test_an_attested_rsvp_may_subscribe_its_guest(app, client, world):
    body = helper("dee@example.org", **{"action_network:consent": CONSENT})
    body["person"]["email_addresses"][0]["status"] = "subscribed"
    made = send(client, "POST", f"/events/{world.event}/attendances", world.importer, body)
    assert made.status_code == 200, made.get_json()
    assert "action_network:person_id" in made.get_json()
    with app.app_context():
        assert db.session.scalar(select(Supporter.status)) == SupporterStatus.SUBSCRIBED


def test_a_cancelled_screening_takes_no_rsvp(app, client, world):
    with app.app_context():
        db.session.scalar(select(Event)).status = EventStatus.CANCELLED
        db.session.commit()
    response = send(client, "POST", f"/events/{world.event}/attendances", world.write,
                    helper("eve@example.org"))  # fmt: skip
    assert response.status_code == 409
    assert response.get_json()["error"]
    assert send(client, "POST", "/events/nope/attendances", world.write,
                helper("eve@example.org")).status_code == 404  # fmt: skip
