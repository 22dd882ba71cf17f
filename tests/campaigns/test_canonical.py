"""A stranger can check a published text: canonical.json hashes to the sha256 the pages
show, and no migration changes a stored revision's hash."""

from __future__ import annotations

import hashlib
import html as html_lib
import io
import json
import re
from pathlib import Path

import flask_migrate
from sqlalchemy import text

from organizer.campaigns import revisions, services
from organizer.extensions import db
from tests.factories import UserFactory
from tests.support.web import csrf_token, submit

from .conftest import build_campaign, login, publish, setup

TEMPLATE = (
    Path(__file__).resolve().parents[2]
    / "organizer/campaigns/templates_data/strike-2018-demands.json"
)
FULL_HASH = re.compile(r'<code class="sha256"[^>]*>([0-9a-f]{64})</code>')
CANONICAL_LINK = re.compile(r'href="([^"]*canonical\.json)"')


def shown_hash_and_link(client, path):
    """What a reader sees on a page: the full sha256 and the canonical.json link."""
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return FULL_HASH.search(html).group(1), html_lib.unescape(CANONICAL_LINK.search(html).group(1))


def test_the_downloaded_canonical_file_hashes_to_the_hash_on_the_page(app, client):
    with setup(app):
        owner = UserFactory()
        build_campaign(owner, slug="hashed", sections={"Voters": ["Publish the ads — all."]})
        publish(build_campaign(owner, slug="other"), owner)
        publish(services.get_by_slug("hashed"), owner, "First.")
    shown, link = shown_hash_and_link(client, "/c/hashed")
    download = client.get(link)
    assert download.status_code == 200 and "Set-Cookie" not in download.headers
    assert download.mimetype == "application/json"
    assert 'filename="canonical.json"' in download.headers["Content-Disposition"]
    assert hashlib.sha256(download.get_data()).hexdigest() == shown
    # The changes page shows the same hash and links the same file.
    assert shown_hash_and_link(client, "/c/hashed/changes") == (shown, link)
    # It is the text, not the export: the export keeps its own format.
    exported = json.loads(client.get("/c/hashed/grievances.json").get_data())
    assert exported["sha256"] == shown and exported["sections"][0]["letter"] == "A"


def test_a_draft_or_unknown_revision_has_no_canonical_file(app, client):
    with setup(app):
        owner = UserFactory()
        campaign = build_campaign(owner, slug="drafty")
        publish(campaign, owner)
        services.add_section(campaign, owner, "Later", [])
    assert client.get("/c/drafty/revisions/1/canonical.json").status_code == 200
    assert client.get("/c/drafty/revisions/2/canonical.json").status_code == 404
    assert client.get("/c/drafty/revisions/99/canonical.json").status_code == 404
    assert client.get("/c/nobody/revisions/1/canonical.json").status_code == 404


def test_the_imported_strike_list_published_hashes_as_shown(app, client):
    with setup(app):
        email = UserFactory().email
    login(client, email)
    submit(client, "/organize/new", {"title": "Strike terms", "summary": "s", "language": "en"})
    with app.test_request_context():
        from flask import url_for

        import_url = url_for("campaign_editor.import_text", slug="strike-terms")
        publish_url = url_for("campaign_editor.publish", slug="strike-terms")
    token = csrf_token(client.get(import_url).get_data(as_text=True))
    response = client.post(
        import_url,
        data={"csrf_token": token, "replace": "y",
              "file": (io.BytesIO(TEMPLATE.read_bytes()), "strike.json")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 302
    assert submit(client, publish_url, {"note": "The 2018 terms."}).status_code == 302
    reader = app.test_client()
    shown, link = shown_hash_and_link(reader, "/c/strike-terms")
    body = reader.get(link).get_data()
    assert hashlib.sha256(body).hexdigest() == shown
    assert len(json.loads(body)["sections"]) == 3
    # The export of that revision names the same hash, and its text hashes to it.
    exported = json.loads(reader.get("/c/strike-terms/grievances.json").get_data())
    assert exported["sha256"] == shown
    assert revisions.hash_of_document(exported) == shown


def _recomputed(session):
    rows = session.execute(text("SELECT snapshot, content_hash FROM grievance_revision")).all()
    assert rows
    for snapshot, stored in rows:
        snapshot = json.loads(snapshot) if isinstance(snapshot, str) else snapshot
        assert hashlib.sha256(revisions.canonical_json(snapshot)).hexdigest() == stored
    return len(rows)


def test_the_canonicalization_is_pinned():
    """The hash of a fixed text, computed once: a change of canonical form would change
    every published hash, so it must fail here first."""
    snapshot = {
        "format": 1,
        "preamble": "Nous demandons :",
        "sections": [
            {
                "uid": "s1",
                "title": "Élections",
                "topics": ["elections"],
                "demands": [
                    {"uid": "d1", "text": "Publier *toutes* les pubs.", "topics": ["elections"],
                     "jurisdictions": ["FR"]},
                ],
            }
        ],
    }  # fmt: skip
    assert (
        revisions.canonical_json(snapshot)
        == (
            '{"format":1,"preamble":"Nous demandons :","sections":[{"demands":[{"jurisdictions":'
            '["FR"],"text":"Publier *toutes* les pubs.","topics":["elections"]}],"title":'
            '"Élections","topics":["elections"]}]}'
        ).encode()
    )
    assert (
        revisions.content_hash(snapshot)
        == hashlib.sha256(revisions.canonical_json(snapshot)).hexdigest()
    )


def test_no_migration_changes_a_stored_revision_hash(make_app, request):
    """On a fresh PostgreSQL database with published texts, the last migration is run
    again over the data; every stored hash is then recomputed from its stored snapshot."""
    postgres = request.getfixturevalue("services").postgres
    fresh = make_app({"TESTING": True}, DATABASE_URL=postgres.create_database("h1_hashes"))
    with fresh.app_context():
        flask_migrate.upgrade()
        owner = UserFactory()
        for slug in ("first-text", "second-text"):
            campaign = build_campaign(owner, slug=slug, sections={
                "Privacy": ["Ask before using photos.", "Ünïcode — “quotes” & <tags>."],
                "Empty": [],
            })  # fmt: skip
            publish(campaign, owner, "One.")
            services.add_demand(campaign.sections[1], owner, "Added later.", ["privacy"], [])
            publish(campaign, owner, "Two.")
            services.add_section(campaign, owner, "Draft only", [])
        db.session.commit()
        flask_migrate.downgrade(revision="0011")
        flask_migrate.upgrade()
        assert _recomputed(db.session) == 6
        db.session.remove()


def test_every_revision_in_the_migrated_test_database_keeps_its_hash(ctx):
    owner = UserFactory()
    publish(build_campaign(owner), owner)
    _recomputed(db.session)
