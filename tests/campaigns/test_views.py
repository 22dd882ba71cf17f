from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from pathlib import Path

from organizer.campaigns import revisions, services
from organizer.db import utcnow
from tests.factories import UserFactory
from tests.support.web import csrf_token, submit

from .conftest import build_campaign, login, publish, setup

FIXTURE = (
    Path(__file__).resolve().parents[2]
    / "organizer/campaigns/templates_data/strike-2018-demands.json"
)


def published_campaign(app, **kwargs):
    with setup(app):
        owner = UserFactory(display_name="Olive Owner")
        campaign = build_campaign(owner, **kwargs)
        campaign.documentary_title = "The Great Hack"
        campaign.documentary_runtime_minutes = 114
        publish(campaign, owner, "First text.")
        return campaign.slug, owner.email


def new_organizer(app):
    with setup(app):
        return UserFactory(display_name="Nadia Organizer").email


# --- The public page ---------------------------------------------------------------------


def test_the_public_page_shows_the_list_with_anchors_and_open_graph(app, client):
    _slug, _owner = published_campaign(app, title="Platform accountability", slug="platforms")
    response = client.get("/c/platforms")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="A1"' in html and 'href="#A2"' in html and 'id="B1"' in html
    assert "A. Transparency" in html and "B. Privacy" in html
    assert '<meta property="og:title" content="Platform accountability">' in html
    assert 'property="og:url" content="' in html and "/c/platforms" in html
    assert "Revision 1" in html and "Olive Owner" in html
    assert "The Great Hack" in html and "114 minutes" in html
    assert 'name="viewport"' in html
    assert "/static/css/campaigns.css" in html


def test_an_anonymous_reader_gets_no_cookie_and_the_same_html(app, client):
    _slug, _owner = published_campaign(app, slug="same-for-all")
    first = client.get("/c/same-for-all")
    other = app.test_client().get("/c/same-for-all", headers={"Accept-Language": "en"})
    assert "Set-Cookie" not in first.headers
    assert "Set-Cookie" not in other.headers
    assert first.get_data() == other.get_data()
    assert "csrf_token" not in first.get_data(as_text=True)
    for path in ("/campaigns", "/c/same-for-all/changes", "/c/same-for-all/grievances.json"):
        assert "Set-Cookie" not in client.get(path).headers, path


def test_the_campaigns_language_and_the_readers_are_marked_apart(app, client):
    """An English text read in French: screen readers switch voice at the right places."""
    _slug, _owner = published_campaign(app, title="Platform accountability", slug="parts")
    french = {"Accept-Language": "fr"}
    page = client.get("/c/parts", headers=french).get_data(as_text=True)
    assert '<html lang="fr">' in page and '<article lang="en">' in page
    assert page.count('<p class="meta" lang="fr">') >= 2  # revision, organizers, goal
    assert 'class="demand-label" href="#A1" lang="fr" aria-label="Revendication A1"' in page
    sign = client.get("/c/parts/sign", headers=french).get_data(as_text=True)
    assert '<h1>Signer « <span lang="en">Platform accountability</span> »</h1>' in sign
    listing = client.get("/campaigns", headers=french).get_data(as_text=True)
    assert '<h2 lang="en"><a href="/c/parts">Platform accountability</a></h2>' in listing


def test_the_public_page_escapes_hostile_demand_text(app, client):
    with setup(app):
        owner = UserFactory()
        campaign = build_campaign(
            owner,
            slug="hostile",
            sections={
                "Hostile": [
                    "<script>alert(1)</script> [x](javascript:alert(1)) "
                    "<img src=x onerror=alert(1)>"
                ],
            },
        )
        campaign.title = '"><script>alert(2)</script>'
        publish(campaign, owner)
    html = client.get("/c/hostile").get_data(as_text=True)
    assert "<script>alert" not in html
    assert 'href="javascript:' not in html
    assert "<img src=x" not in html


def test_the_json_export_of_the_published_revision(app, client):
    published_campaign(app, slug="exported")
    response = client.get("/c/exported/grievances.json")
    document = json.loads(response.get_data())
    assert response.mimetype == "application/json"
    assert document["revision"] == 1 and len(document["sha256"]) == 64
    assert [s["letter"] for s in document["sections"]] == ["A", "B"]
    assert client.get("/c/exported/grievances.json?revision=9").status_code == 404


# --- The listing --------------------------------------------------------------------------


def test_the_listing_shows_published_campaigns_newest_first_with_search_and_language(app, client):
    with setup(app):
        owner = UserFactory()
        for title, language, days in (
            ("Old strike", "en", 3),
            ("Grève des usagers", "fr", 2),
            ("New strike", "en", 1),
        ):
            campaign = build_campaign(owner, title=title)
            campaign.language = language
            publish(campaign, owner)
            campaign.first_published_at = utcnow() - timedelta(days=days)
        build_campaign(owner, title="Secret draft strike")
    html = client.get("/campaigns").get_data(as_text=True)
    assert html.index("New strike") < html.index("Grève des usagers") < html.index("Old strike")
    assert "Secret draft" not in html
    found = client.get("/campaigns?q=strike").get_data(as_text=True)
    assert "New strike" in found and "Old strike" in found and "Grève" not in found
    french = client.get("/campaigns?lang=fr").get_data(as_text=True)
    assert "Grève des usagers" in french and "New strike" not in french
    assert client.get("/campaigns?q=%25%5C_&page=-3").status_code == 200


# --- The editor ---------------------------------------------------------------------------


def test_an_organizer_drafts_reorders_and_publishes(app, client):
    login(client, new_organizer(app))
    response = submit(
        client,
        "/organize/new",
        {
            "title": "Users' terms",
            "summary": "What we ask.",
            "language": "en",
            "documentary_title": "",
            "signature_goal": "5000",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/organize/users-terms/text"
    page = client.get("/organize/users-terms/text").get_data(as_text=True)
    token = csrf_token(page)

    def post(path, **data):
        return client.post(f"/organize/users-terms{path}", data={**data, "csrf_token": token})

    assert post("/sections", title="Voters", topics=["elections"]).status_code == 302
    assert post("/sections", title="Users", topics=["privacy"]).status_code == 302
    with app.app_context():
        campaign = services.get_by_slug("users-terms")
        voters, users = (s.id for s in campaign.sections)
    for text in ("Share the ads.", "Stop paid political ads."):
        response = submit(
            client,
            f"/organize/users-terms/sections/{voters}/demands/new",
            {"text": text, "topics": ["elections"], "jurisdictions": ""},
        )
        assert response.status_code == 302
    response = submit(
        client,
        f"/organize/users-terms/sections/{users}/demands/new",
        {"text": "Testify.", "topics": ["legislature"], "jurisdictions": "us, gb"},
    )
    assert response.status_code == 302
    with app.app_context():
        campaign = services.get_by_slug("users-terms")
        stop = campaign.sections[0].demands[1]
        assert campaign.sections[1].demands[0].jurisdictions == ["GB", "US"]
        stop_id = stop.id
    assert post(f"/demands/{stop_id}/move", direction="up").status_code == 302
    assert post(f"/sections/{users}/move", direction="up").status_code == 302
    response = submit(client, "/organize/users-terms/publish", {"note": "First."})
    assert response.status_code == 302
    html = client.get("/c/users-terms").get_data(as_text=True)
    assert html.index("A. Users") < html.index("B. Voters")
    assert html.index("Stop paid political ads.") < html.index("Share the ads.")
    assert 'id="B1"' in html


def test_bad_input_is_a_form_error_never_a_500(app, client):
    login(client, new_organizer(app))
    response = submit(
        client,
        "/organize/new",
        {
            "title": "",
            "summary": "",
            "language": "xx",
            "slug": "Not A Slug!",
            "documentary_url": "ftp://x",
        },
    )
    assert response.status_code == 200
    assert "Please correct the fields" in response.get_data(as_text=True)
    submit(
        client,
        "/organize/new",
        {"title": "Taken", "summary": "s", "language": "en", "slug": "taken-slug"},
    )
    response = submit(
        client,
        "/organize/new",
        {"title": "Again", "summary": "s", "language": "en", "slug": "taken-slug"},
    )
    assert "Another campaign already uses this address." in response.get_data(as_text=True)
    with app.app_context():
        section = services.add_section(
            services.get_by_slug("taken-slug"),
            services.get_by_slug("taken-slug").created_by,
            "S",
            [],
        )
        from organizer.extensions import db

        db.session.commit()
        section_id = section.id
    response = submit(
        client,
        f"/organize/taken-slug/sections/{section_id}/demands/new",
        {"text": "x", "jurisdictions": "US, ZZ", "topics": ["astrology"]},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Not a country code: ZZ." in html
    token = csrf_token(html)
    response = client.post(
        f"/organize/taken-slug/sections/{section_id}/move",
        data={"direction": "sideways", "csrf_token": token},
    )
    assert response.status_code == 400
    assert (
        client.post("/organize/taken-slug/publish", data={"csrf_token": token}).status_code == 200
    )  # "add a demand first"


def test_the_slug_is_locked_after_publication(app, client):
    _slug, owner = published_campaign(app, slug="locked-slug")
    login(client, owner)
    response = submit(
        client,
        "/organize/locked-slug/settings",
        {"title": "New title", "summary": "s", "language": "en", "slug": "new-slug"},
    )
    assert "cannot change once the campaign is published" in response.get_data(as_text=True)
    assert client.get("/c/locked-slug").status_code == 200


def test_import_reports_problems_then_imports_the_fixture(app, client):
    login(client, new_organizer(app))
    submit(client, "/organize/new", {"title": "From template", "summary": "s", "language": "en"})
    page = client.get("/organize/from-template/import").get_data(as_text=True)
    token = csrf_token(page)
    bad = json.dumps({"sections": [{"title": "A", "demands": [{"text": "x", "topics": ["nope"]}]}]})
    response = client.post(
        "/organize/from-template/import",
        data={"csrf_token": token, "replace": "y", "file": (io.BytesIO(bad.encode()), "bad.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "sections[0].demands[0].topics[0]" in response.get_data(as_text=True)
    response = client.post(
        "/organize/from-template/import",
        data={
            "csrf_token": token,
            "replace": "y",
            "file": (io.BytesIO(FIXTURE.read_bytes()), "strike.json"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        campaign = services.get_by_slug("from-template")
        assert len(revisions.demands_of(revisions.draft_revision(campaign))) == 17
    exported = json.loads(client.get("/organize/from-template/export.json").get_data())
    assert (
        exported["sections"][2]["demands"][1]["text"]
        == "Facebook shuts down the Messenger Kids product."
    )


def test_the_change_log_and_diff_between_revisions(app, client):
    _slug, _owner = published_campaign(app, slug="changing")
    with setup(app):
        campaign = services.get_by_slug("changing")
        demand = campaign.sections[0].demands[0]
        services.update_demand(
            demand, campaign.created_by, "Publish every political ad now.", demand.topics, []
        )
        publish(campaign, campaign.created_by, "Sharper.")
    html = client.get("/c/changing").get_data(as_text=True)
    assert "Revision 2" in html and "Revision 1" in html and "Sharper." in html
    changes = client.get("/c/changing/changes?from=1&to=2").get_data(as_text=True)
    assert "Reworded A1" in changes
    assert "<ins>now</ins>" in changes or "<ins> now</ins>" in changes
    assert client.get("/c/changing/changes?from=1&to=7").status_code == 404
    assert client.get("/c/changing/changes?to=abc").status_code == 200


def test_the_dashboard_lists_ones_campaigns_with_status(app, client):
    _slug, owner = published_campaign(app, title="Mine", slug="mine")
    with setup(app):
        build_campaign(UserFactory(), title="Someone else's", slug="not-mine")
    login(client, owner)
    html = client.get("/organize").get_data(as_text=True)
    assert "Mine" in html and "Someone else" not in html
    assert re.search(r"Published", html) and "Revision 1 published." in html


def test_a_section_form_names_places_its_demands_inherit(app, client):
    with setup(app):
        owner = UserFactory(display_name="Olive Owner")
        campaign = build_campaign(owner, slug="places")
        section_id = campaign.sections[0].id
        email = owner.email
    login(client, email)
    url = f"/organize/places/sections/{section_id}/edit"
    wrong = submit(client, url, {"title": "Transparency", "jurisdictions": "US, XX"})
    assert wrong.status_code == 200 and "Not a country code: XX." in wrong.get_data(as_text=True)
    saved = submit(client, url, {"title": "Transparency", "topics": ["transparency"],
                                 "jurisdictions": "us, gb"})  # fmt: skip
    assert saved.status_code == 302
    assert 'value="GB, US"' in client.get(url).get_data(as_text=True)
    with app.app_context():
        draft = revisions.draft_revision(services.get_by_slug("places"))
        places = [d.jurisdictions for d in revisions.iter_demands(draft.snapshot)]
    assert places == [("GB", "US"), ("GB", "US"), ()]
