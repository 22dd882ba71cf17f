"""The organizer's embed page: allowed origins, the "anywhere" switch, the snippets."""

from __future__ import annotations

from organizer.audit.models import AuditLog
from organizer.campaigns.models import Campaign, Membership, Role
from organizer.campaigns.services import get_by_slug
from organizer.embeds.snippets import snippet
from organizer.extensions import db
from tests.campaigns.conftest import login
from tests.factories import UserFactory
from tests.support.web import submit

from .conftest import SLUG, add_partner, published, setup

PAGE = f"/organize/{SLUG}/embed"


def _campaign(app) -> Campaign:
    with app.app_context():
        campaign = get_by_slug(SLUG)
        db.session.expunge(campaign)
        return campaign


def test_the_page_is_a_tool_of_the_dashboard(app, client):
    login(client, published(app))
    dashboard = client.get(f"/organize/{SLUG}").get_data(as_text=True)
    assert f'href="{PAGE}"' in dashboard
    html = client.get(PAGE).get_data(as_text=True)
    assert "Embed the campaign on other websites" in html
    assert "No other website is allowed yet" in html
    assert "/embed.js&#34; async&gt;&lt;/script&gt;" in html
    assert f"data-cahier-sign=&#34;{SLUG}&#34;" in html
    assert f"/c/{SLUG}/badge.svg" in html and f'src="/embed/{SLUG}/sign"' in html


def test_saving_origins_normalizes_and_audits(app, client):
    login(client, published(app))
    response = submit(client, PAGE, {"origins": "https://Friends.example.org/\nhttp://localhost:8001",
                                     "anywhere": ""})  # fmt: skip
    assert response.status_code == 302
    campaign = _campaign(app)
    assert campaign.embed_origins == ["https://friends.example.org", "http://localhost:8001"]
    assert campaign.embed_anywhere is False
    with app.app_context():
        entry = db.session.query(AuditLog).filter_by(action="campaign.embed_settings_saved").one()
        assert entry.campaign_id == campaign.id
    frame = client.get(f"/embed/{SLUG}/sign").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://friends.example.org http://localhost:8001" in frame
    submit(client, PAGE, {"origins": "", "anywhere": "y"})
    assert _campaign(app).embed_anywhere is True
    assert (
        "frame-ancestors *" in client.get(f"/embed/{SLUG}/sign").headers["Content-Security-Policy"]
    )


def test_a_bad_origin_is_an_error_and_nothing_is_saved(app, client):
    login(client, published(app))
    response = submit(client, PAGE, {"origins": "https://ok.example\nhttps://x.org; script-src *"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "is not a web address like https://example.org." in html
    assert _campaign(app).embed_origins == []


def test_snippet_options_and_partner_origins_show(app, client):
    login(client, published(app))
    add_partner(app, SLUG, "partner-a", "http://localhost:8001")
    html = client.get(f"{PAGE}?source=partner-a&lang=fr&theme=dark").get_data(as_text=True)
    assert (
        "data-source=&#34;partner-a&#34; data-lang=&#34;fr&#34; data-theme=&#34;dark&#34;" in html
    )
    assert "sign?source=partner-a&amp;amp;lang=fr&amp;amp;theme=dark" in html
    assert "<code>http://localhost:8001</code>" in html
    # A code the campaign does not know is not offered in a snippet.
    html = client.get(f"{PAGE}?source=made-up").get_data(as_text=True)
    assert "made-up&#34;" not in html


def test_only_who_edits_the_settings_may_open_it(app, client):
    published(app)
    with setup(app):
        moderator = UserFactory()
        email = moderator.email
        db.session.add(Membership(campaign_id=get_by_slug(SLUG).id, user_id=moderator.id,
                                  role=Role.MODERATOR))  # fmt: skip
    login(client, email)
    assert client.get(PAGE).status_code == 403


def test_the_snippet_for_partners(app, ctx):
    published(app)
    campaign = get_by_slug(SLUG)
    base = app.config["BASE_URL"]
    assert snippet(campaign, source="partner-a", lang="fr") == (
        f'<script src="{base}/embed.js" async></script>\n'
        f'<div data-cahier-sign="{SLUG}" data-source="partner-a" data-lang="fr"></div>'
    )
    assert snippet(campaign) == (
        f'<script src="{base}/embed.js" async></script>\n<div data-cahier-sign="{SLUG}"></div>'
    )
