"""The record signature helper: pending and mailed from a write token, counted at once
only when an import token attests that it was confirmed elsewhere."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from organizer.audit.models import AuditLog
from organizer.audit.sentences import describe
from organizer.campaigns.models import Campaign
from organizer.extensions import db
from organizer.signatures import counting
from organizer.signatures.models import Signature, SignatureStatus
from organizer.signatures.tallies import CountChange
from organizer.supporters.models import ConsentEvent, Supporter, SupporterStatus
from organizer.supporters.tags import tags_of
from tests.api.conftest import public_id
from tests.api.writing import CONSENT, mails_to, make_world, person, send


@pytest.fixture
def world(app, db_session):
    return make_world(app)


def helper(email, **extra):
    """The body Action Network documents for the record signature helper."""
    return {"person": person(email, given_name="Ada", family_name="Lovelace",
                             postal_addresses=[{"postal_code": "N1 9GU", "country": "GB"}]),
            "add_tags": ["signed"], "triggers": {"autoresponse": {"enabled": True}},
            "action_network:referrer_data": {"source": "newsletter-may"}, **extra}  # fmt: skip


def stored(app, public):
    with app.app_context():
        found = db.session.scalar(select(Signature).where(Signature.public_id == public))
        db.session.expunge(found)
        return found


def journal(app):
    with app.app_context():
        return list(db.session.scalars(select(CountChange.delta)))


def test_a_write_token_records_a_pending_signature_and_mails_its_link(app, client, world):
    response = send(client, "POST", f"/petitions/{world.petition}/signatures", world.write,
                    helper("ada@example.org"))  # fmt: skip
    assert response.status_code == 200, response.get_json()
    made = response.get_json()
    assert made["status"] == "pending"
    assert made["action_network:referrer_data"] == {"source": "newsletter-may"}
    assert "action_network:person_id" not in made  # a pending signature is nobody's consent
    signature = stored(app, public_id(made))
    assert (signature.source, signature.country, signature.name) == (
        "newsletter-may", "GB", "Ada Lovelace")  # fmt: skip
    assert mails_to(app, "ada@example.org") == ["signature_confirm"]
    assert journal(app) == []
    with app.app_context():
        assert db.session.scalar(select(Supporter)) is None
        entry = db.session.scalar(
            select(AuditLog).where(AuditLog.action == "api.signature_recorded")
        )
        assert entry.details["token"] == "CRM sync"
        assert describe(entry).endswith("waiting for its confirmation.")


def test_posting_again_resends_the_link_and_never_duplicates(app, client, world):
    path = f"/petitions/{world.petition}/signatures"
    first = send(client, "POST", path, world.write, helper("bo@example.org")).get_json()
    again = send(client, "POST", path, world.write, helper("bo@example.org")).get_json()
    assert public_id(again) == public_id(first)
    assert mails_to(app, "bo@example.org") == ["signature_confirm", "signature_confirm"]


def test_an_import_attestation_counts_it_through_the_confirmation(app, client, world):
    body = helper("cy@example.org", **{"action_network:consent": CONSENT})
    body["person"]["email_addresses"][0]["status"] = "subscribed"
    response = send(client, "POST", f"/petitions/{world.petition}/signatures", world.importer,
                    body)  # fmt: skip
    assert response.status_code == 200, response.get_json()
    made = response.get_json()
    assert made["status"] == "confirmed"
    assert "action_network:person_id" in made
    assert mails_to(app, "cy@example.org") == []
    assert journal(app) == [1]
    with app.app_context():
        signature = db.session.scalar(select(Signature))
        supporter = db.session.get(Supporter, signature.supporter_id)
        assert supporter.status == SupporterStatus.SUBSCRIBED
        assert [t.name for t in tags_of(supporter)] == ["signed"]
        (event,) = db.session.scalars(select(ConsentEvent))
        assert event.text_version.startswith("import:")
        entry = db.session.scalar(
            select(AuditLog).where(AuditLog.action == "api.signature_recorded")
        )
        assert entry.details["consent_wording"] == CONSENT["text"]
        counting.fold()
        campaign = db.session.scalar(select(Campaign))
        assert counting.totals(campaign.id, None).online == 1
    again = send(client, "POST", f"/petitions/{world.petition}/signatures", world.importer, body)
    assert public_id(again.get_json()) == public_id(made)
    assert journal(app) == [1]


def test_an_import_confirms_a_pending_signature_but_never_revives_a_withdrawn_one(
    app, client, world
):
    path = f"/petitions/{world.petition}/signatures"
    pending = send(client, "POST", path, world.write, helper("dee@example.org")).get_json()
    attested = helper("dee@example.org", **{"action_network:consent": CONSENT})
    confirmed = send(client, "POST", path, world.importer, attested).get_json()
    assert (public_id(confirmed), confirmed["status"]) == (public_id(pending), "confirmed")
    # A client syncing its list again: the counted signature is answered, nobody is mailed.
    again = send(client, "POST", path, world.write, helper("dee@example.org")).get_json()
    assert (public_id(again), again["status"]) == (public_id(pending), "confirmed")
    assert mails_to(app, "dee@example.org") == ["signature_confirm"]
    with app.app_context():
        from organizer.signatures.confirmation import withdraw

        withdraw(db.session.scalar(select(Signature)))
        db.session.commit()
    assert send(client, "POST", path, world.importer, attested).status_code == 409
    assert send(client, "POST", path, world.write, helper("dee@example.org")).status_code == 409
    assert stored(app, public_id(pending)).status == SignatureStatus.WITHDRAWN


def test_what_the_helper_refuses(client, world):
    path = f"/petitions/{world.petition}/signatures"
    attested = helper("eve@example.org", **{"action_network:consent": CONSENT})
    assert send(client, "POST", path, world.write, attested).status_code == 403
    subscribing = helper("eve@example.org")
    subscribing["person"]["email_addresses"][0]["status"] = "subscribed"
    assert send(client, "POST", path, world.write, subscribing).status_code == 422
    bad_source = helper("eve@example.org", **{"action_network:referrer_data": {"source": "a b"}})
    assert send(client, "POST", path, world.write, bad_source).status_code == 400
    commented = helper("eve@example.org", comments="Stop doing the thing")
    assert send(client, "POST", path, world.write, commented).status_code == 422
    assert send(client, "POST", "/petitions/nope/signatures", world.write,
                helper("eve@example.org")).status_code == 404  # fmt: skip
    assert send(client, "POST", path, world.reader, helper("eve@example.org")).status_code == 403


def test_a_closed_petition_takes_no_signature(app, client, world):
    from organizer.campaigns.models import CampaignStatus

    with app.app_context():
        db.session.scalar(select(Campaign)).status = CampaignStatus.CLOSED
        db.session.commit()
    response = send(client, "POST", f"/petitions/{world.petition}/signatures", world.write,
                    helper("fay@example.org"))  # fmt: skip
    assert response.status_code == 409
