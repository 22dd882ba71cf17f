"""Consents as rows: the queries that honour them, and the migration from the old booleans."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import flask_migrate
import pytest
from sqlalchemy import select, text

from organizer.extensions import db
from organizer.signatures import consents
from organizer.signatures.consents import Purpose, consented, has_consent
from organizer.signatures.models import Signature

from .conftest import sign


def test_consented_is_true_only_for_a_standing_consent_to_that_purpose(campaign):
    named = sign(campaign, "named@example.org", name_to_authorities=True)[1]
    listed = sign(campaign, "listed@example.org", show_name=True)[1]
    withdrawn = sign(campaign, "gone@example.org", name_to_authorities=True)[1]
    assert consents.withdraw(withdrawn, Purpose.NAME_TO_AUTHORITIES)
    assert not consents.withdraw(withdrawn, Purpose.NAME_TO_AUTHORITIES)  # twice is once
    query = select(Signature.canonical_email).where(consented(Purpose.NAME_TO_AUTHORITIES))
    assert db.session.scalars(query).all() == ["named@example.org"]
    assert has_consent(named, Purpose.NAME_TO_AUTHORITIES)
    assert has_consent(listed, Purpose.PUBLIC_LIST)
    assert not has_consent(listed, Purpose.NAME_TO_AUTHORITIES)
    assert not has_consent(withdrawn, Purpose.NAME_TO_AUTHORITIES)


def test_granting_again_revives_the_row_with_the_current_wording(campaign, monkeypatch):
    signature = sign(campaign, "ada@example.org", show_name=False, receive_updates=True)[1]
    consents.withdraw(signature, Purpose.UPDATES)
    monkeypatch.setitem(consents.TEXT_VERSIONS, Purpose.UPDATES, "updates-2027-1")
    consents.grant(signature, Purpose.UPDATES)
    [row] = db.session.scalars(
        select(consents.SignatureConsent).where(
            consents.SignatureConsent.signature_id == signature.id
        )
    ).all()
    assert (row.purpose, row.text_version, row.withdrawn_at) == (
        Purpose.UPDATES,
        "updates-2027-1",
        None,
    )


def test_a_partner_purpose_is_a_plain_string(campaign):
    signature = sign(campaign, "ada@example.org")[1]
    db.session.add(
        consents.SignatureConsent(
            signature_id=signature.id, purpose="partner:7", text_version="partner-7-v1"
        )
    )
    db.session.flush()
    assert has_consent(signature, "partner:7")
    assert db.session.scalar(select(Signature.id).where(consented("partner:7"))) == signature.id


# --- The migration: booleans to rows, and back -------------------------------------------

SIGNED = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


def _insert_old_rows(connection):
    """A signature per combination of the old booleans, in the 0006 schema."""
    at = SIGNED.isoformat()
    connection.execute(
        text(
            "INSERT INTO user_account (id, email, display_name, password_hash, locale,"
            " session_version, is_admin, created_at)"
            " VALUES (1, 'o@example.org', 'O', 'x', 'en', 0, false, :at)"
        ),
        {"at": at},
    )
    connection.execute(
        text(
            "INSERT INTO campaign (id, slug, title, summary, language, status, preamble,"
            " created_by_id, created_at, updated_at)"
            " VALUES (1, 'c', 'C', 'S', 'en', 'published', '', 1, :at, :at)"
        ),
        {"at": at},
    )
    connection.execute(
        text(
            "INSERT INTO grievance_revision (id, campaign_id, number, snapshot, content_hash,"
            " note, created_at, updated_at) VALUES (1, 1, 1, '{}', 'h', '', :at, :at)"
        ),
        {"at": at},
    )
    for n, (show, updates) in enumerate(
        [(True, True), (True, False), (False, True), (False, False)]
    ):
        connection.execute(
            text(
                "INSERT INTO signature (id, campaign_id, revision_id, name, email,"
                " canonical_email, email_domain, country, locale, show_name, show_name_text,"
                " receive_updates, receive_updates_text, status, suspect, confirmation_sends,"
                " created_at, updated_at) VALUES (:id, 1, 1, 'N', :e, :e, 'example.org', 'GB',"
                " 'en', :show, 'show-v0', :updates, 'updates-v0', 'confirmed', false, 1,"
                " :at, :at)"
            ),
            {"id": n + 1, "e": f"s{n}@example.org", "show": show, "updates": updates, "at": at},
        )


@pytest.fixture(params=["postgresql", "sqlite"])
def fresh_app(request, make_app, services, tmp_path):
    if request.param == "postgresql":
        url = services.postgres.create_database(f"consents_{secrets.token_hex(4)}")
    else:
        url = f"sqlite:///{tmp_path / 'consents.db'}"
    return make_app({"TESTING": True}, DATABASE_URL=url)


def test_the_migration_turns_each_true_boolean_into_a_row_and_back(fresh_app):
    with fresh_app.app_context():
        flask_migrate.upgrade(revision="0006")
        with db.engine.begin() as connection:
            _insert_old_rows(connection)
        flask_migrate.upgrade(revision="0007")
        with db.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT signature_id, purpose, text_version, given_at, withdrawn_at"
                    " FROM signature_consent ORDER BY signature_id, purpose"
                )
            ).all()
            columns = connection.execute(text("SELECT * FROM signature")).keys()
        assert [(r[0], r[1], r[2], r[4]) for r in rows] == [
            (1, "public_list", "show-v0", None),
            (1, "updates", "updates-v0", None),
            (2, "public_list", "show-v0", None),
            (3, "updates", "updates-v0", None),
        ]
        # Given when the signature was made; nobody is migrated as consenting to be named.
        assert {_as_utc(r[3]) for r in rows} == {SIGNED}
        assert not {"show_name", "receive_updates", "show_name_text"} & set(columns)
        assert "token_used_at" in columns

        flask_migrate.downgrade(revision="0006")
        with db.engine.connect() as connection:
            back = connection.execute(
                text(
                    "SELECT id, show_name, receive_updates, show_name_text FROM signature"
                    " ORDER BY id"
                )
            ).all()
        assert [(i, bool(s), bool(u)) for i, s, u, _t in back] == [
            (1, True, True),
            (2, True, False),
            (3, False, True),
            (4, False, False),
        ]
        assert back[0][3] == "show-v0"
        db.session.remove()


def _as_utc(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
