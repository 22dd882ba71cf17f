"""Data for the scenarios: the schema, a published campaign, and bulk rows written with COPY.

Runs in the harness process with the stack's environment, through Cahier's own services
for the campaign and plain COPY for the million rows a service would take minutes to write.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from email.utils import make_msgid
from typing import Any

import psycopg
from flask import Flask

from tests.bench.baseline_app import baseline_row
from tests.bench.baseline_app import metadata as baseline_metadata

BODY_TEXT = ("Please confirm your signature by opening the link below.\n" * 20)[:1200]
BODY_HTML = "<!doctype html><html><body>" + ("<p>Please confirm your signature.</p>" * 60)


def migrate(app: Flask) -> None:
    import flask_migrate

    from organizer.extensions import db

    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        baseline_metadata.create_all(db.engine, tables=[baseline_row])


def app_with_campaign(env: dict[str, str]) -> tuple[Flask, dict[str, Any]]:
    """Cahier in this process with the stack's environment, migrated, with the demo
    campaign published."""
    import os

    os.environ.update(env)
    from organizer import create_app

    app = create_app()
    migrate(app)
    return app, published_campaign(app)


def published_campaign(app: Flask) -> dict[str, Any]:
    """The demo campaign (organizer.demo), published, with its owner."""
    from organizer.demo import seed_demo_campaign, seed_demo_organizer
    from organizer.extensions import db

    with app.app_context():
        owner = seed_demo_organizer().user
        campaign = seed_demo_campaign(owner)
        assert campaign is not None, "the bench database is new: the campaign cannot exist"
        db.session.commit()
        revision_id = db.session.execute(
            db.text("SELECT id FROM grievance_revision WHERE campaign_id = :c ORDER BY number "
                    "DESC LIMIT 1"), {"c": campaign.id}
        ).scalar_one()  # fmt: skip
        return {"id": campaign.id, "slug": campaign.slug, "revision_id": revision_id,
                "owner_email": owner.email}  # fmt: skip


def plain_url(database_url: str) -> str:
    return "postgresql://" + database_url.split("://", 1)[1]


def queued_emails(database_url: str, count: int, tag: str) -> list[int]:
    """``count`` queued outbox rows of a confirmation email's size; returns their ids."""
    now = datetime.now(UTC)
    columns = ("to_addr, subject, text_body, html_body, headers, message_id, kind, locale, "
               "status, attempts, created_at, updated_at")  # fmt: skip
    with psycopg.connect(plain_url(database_url)) as conn:
        first = conn.execute("SELECT coalesce(max(id), 0) FROM outbound_email").fetchone()
        with conn.cursor().copy(f"COPY outbound_email ({columns}) FROM STDIN") as copy:
            for n in range(count):
                copy.write_row((
                    f"drain-{tag}-{n}@example.org", "Please confirm your signature", BODY_TEXT,
                    BODY_HTML, "{}", make_msgid(f"drain{n}", "bench.invalid"), "bench_drain",
                    "en", "queued", 0, now, now,
                ))  # fmt: skip
        ids = [row[0] for row in conn.execute(
            "SELECT id FROM outbound_email WHERE kind = 'bench_drain' AND id > %s ORDER BY id",
            (first[0] if first else 0,),
        )]  # fmt: skip
        conn.commit()
    return ids


def confirmed_signatures(
    database_url: str, campaign_id: int, revision_id: int, count: int
) -> float:
    """``count`` confirmed signatures on a campaign, written with COPY; returns the seconds."""
    started = time.monotonic()
    now = datetime.now(UTC)
    columns = ("campaign_id, revision_id, name, email, canonical_email, email_domain, country, "
               "postal_code, locale, status, suspect, confirmation_sends, created_at, "
               "updated_at, confirmed_at, confirmed_day, public_id")  # fmt: skip
    countries = ("FR", "DE", "GB", "US", "ES", "IT", "NL", "BE", "PL", "SE")
    with psycopg.connect(plain_url(database_url)) as conn:
        with conn.cursor().copy(f"COPY signature ({columns}) FROM STDIN") as copy:
            for n in range(count):
                email = f"export-{n}@example.org"
                copy.write_row((
                    campaign_id, revision_id, f"Export Signer {n}", email, email, "example.org",
                    countries[n % len(countries)], f"{n % 100000:05d}", "en", "confirmed",
                    False, 1, now, now, now, now.date(), str(uuid.uuid4()),
                ))  # fmt: skip
        # Consents are rows of their own (organizer.signatures.consents): half are listed
        # publicly, a third asked for updates, a quarter agreed to be named to regulators.
        for purpose, version, every in (
            ("public_list", "show-name-2024-1", 2),
            ("updates", "updates-2024-1", 3),
            ("name_to_authorities", "name-to-authorities-2026-1", 4),
        ):
            conn.execute(
                "INSERT INTO signature_consent (signature_id, purpose, text_version, given_at)"
                " SELECT id, %s, %s, created_at FROM signature"
                " WHERE campaign_id = %s AND id %% %s = 0",
                (purpose, version, campaign_id, every),
            )  # fmt: skip
        conn.commit()
        conn.execute("ANALYZE signature")
        conn.commit()
    return time.monotonic() - started
