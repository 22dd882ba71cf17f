"""The public embed routes: their headers, no cookie ever, the form token, the signature
they record (with its source), the counter, the badge and oEmbed."""

from __future__ import annotations

import re

from sqlalchemy import select

from organizer.extensions import db
from organizer.mail.models import OutboundEmail
from organizer.partners.models import PartnerStatus
from organizer.signatures.models import Signature
from tests.campaigns.conftest import login

from .conftest import ORIGIN, SLUG, add_partner, published

FORM = {"name": "Ada Lovelace", "email": "ada@example.org", "country": "GB", "show_name": "y"}


def _token(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def _frame_ancestors(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return re.search(r"frame-ancestors ([^;]*)", policy).group(1)


def _post(client, data, url=f"/embed/{SLUG}/sign", headers=ORIGIN):
    page = client.get(url)
    assert page.status_code == 200
    form = {**FORM, "form_token": _token(page.get_data(as_text=True)), **data}
    return client.post(url, data=form, headers=headers)


def test_the_embedded_form_may_be_framed_only_where_the_campaign_allows(app, client):
    published(app, embed_origins=["https://friends.example.org"])
    add_partner(app, SLUG, "partner-a", "http://localhost:8001")
    add_partner(app, SLUG, "partner-b", "https://invited.example", PartnerStatus.INVITED)
    response = client.get(f"/embed/{SLUG}/sign")
    assert response.status_code == 200
    assert _frame_ancestors(response) == "'self' https://friends.example.org http://localhost:8001"
    assert "X-Frame-Options" not in response.headers
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert _frame_ancestors(client.get(f"/embed/{SLUG}/count")) == _frame_ancestors(response)
    # Every other page still refuses to be framed at all.
    for path in (f"/c/{SLUG}", f"/c/{SLUG}/sign", f"/c/{SLUG}/badge.svg", "/embed.js"):
        other = client.get(path)
        assert _frame_ancestors(other) == "'none'", path
        assert other.headers["X-Frame-Options"] == "DENY", path


def test_anywhere_means_any_ancestor(app, client):
    published(app, embed_anywhere=True, embed_origins=["https://friends.example.org"])
    assert _frame_ancestors(client.get(f"/embed/{SLUG}/sign")) == "*"


def test_no_embed_route_sets_a_cookie_even_for_a_logged_in_organizer(app, client):
    owner = published(app)
    login(client, owner)
    base = app.config["BASE_URL"]
    for path in (f"/embed/{SLUG}/sign", f"/embed/{SLUG}/count", f"/c/{SLUG}/badge.svg",
                 "/embed.js", f"/oembed?url={base}/c/{SLUG}"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
        assert "Vary" not in response.headers or "Cookie" not in response.headers["Vary"], path
    signed = _post(client, {})
    assert signed.status_code == 200
    assert "Set-Cookie" not in signed.headers
    # The page is the same as a stranger's: nothing of the organizer's account shows.
    assert "Olive Owner" not in client.get(f"/embed/{SLUG}/sign").get_data(as_text=True)


def test_signing_in_the_frame_records_the_source_and_queues_the_email(app, client):
    published(app)
    add_partner(app, SLUG, "partner-a", "http://localhost:8001")
    response = _post(client, {}, url=f"/embed/{SLUG}/sign?source=partner-a&lang=en")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Check your email" in html
    assert "ada@example.org" in html and response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        signature = db.session.scalars(select(Signature)).one()
        assert (signature.source, signature.email, signature.status) == (
            "partner-a", "ada@example.org", "pending"
        )  # fmt: skip
        email = db.session.scalars(select(OutboundEmail)).one()
        assert email.to_addr == "ada@example.org" and email.kind == "signature_confirm"


def test_an_unknown_source_is_dropped(app, client):
    published(app)
    response = client.get(f"/embed/{SLUG}/sign?source=made-up&lang=fr")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/embed/{SLUG}/sign?lang=fr"
    _post(client, {"source": "made-up"})
    with app.app_context():
        assert db.session.scalars(select(Signature.source)).one() is None


def test_a_post_without_a_valid_token_keeps_the_details_and_stores_nothing(app, client):
    published(app)
    url = f"/embed/{SLUG}/sign"
    response = client.post(url, data={**FORM, "form_token": "forged"}, headers=ORIGIN)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This form was open for a long time" in html
    assert 'value="ada@example.org"' in html and _token(html)
    with app.app_context():
        assert db.session.scalars(select(Signature)).first() is None


def test_a_post_from_another_site_is_refused(app, client):
    published(app)
    response = _post(client, {}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalars(select(Signature)).first() is None


def test_the_form_shows_its_errors_in_the_frame(app, client):
    published(app)
    response = _post(client, {"email": "not-an-address", "name": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please correct the fields marked below." in html
    assert 'name="form_token"' in html


def test_language_and_theme_come_from_the_url(app, client):
    published(app)
    html = client.get(f"/embed/{SLUG}/sign?lang=fr&theme=dark").get_data(as_text=True)
    assert '<html lang="fr" data-theme="dark">' in html
    assert 'action="/embed/embed-strike/sign?lang=fr&amp;theme=dark"' in html
    # An unknown language or theme falls back to the campaign's and to light.
    html = client.get(f"/embed/{SLUG}/sign?lang=xx&theme=pink").get_data(as_text=True)
    assert '<html lang="en" data-theme="light">' in html


def test_the_frame_loads_nothing_from_another_host(app, client):
    published(app)
    html = client.get(f"/embed/{SLUG}/sign").get_data(as_text=True)
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith("/"), url


def test_a_closed_campaign_says_so_in_the_frame(app, client):
    from organizer.campaigns.models import CampaignStatus

    published(app, status=CampaignStatus.CLOSED)
    response = client.get(f"/embed/{SLUG}/sign")
    assert "This campaign no longer takes signatures." in response.get_data(as_text=True)
    assert 'name="email"' not in response.get_data(as_text=True)


def test_the_counter_and_the_badge_show_the_count_and_cache(app, client):
    published(app, goal=5000)
    count = client.get(f"/embed/{SLUG}/count")
    assert count.status_code == 200
    assert count.headers["Cache-Control"] == "public, max-age=60"
    assert "signatures of a goal of 5,000" in count.get_data(as_text=True)
    badge = client.get(f"/c/{SLUG}/badge.svg?lang=fr")
    svg = badge.get_data(as_text=True)
    assert badge.mimetype == "image/svg+xml"
    assert badge.headers["Cache-Control"] == "public, max-age=60"
    assert svg.startswith("<svg") and "Users&#39; strike" in svg and "5" in svg
    assert "<script" not in svg
    assert client.get("/c/nowhere/badge.svg").status_code == 404


def test_the_script_is_javascript_from_our_origin(app, client):
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert "data-cahier-sign" in response.get_data(as_text=True)


def test_oembed_answers_rich_for_a_campaign_url(app, client):
    published(app)
    base = app.config["BASE_URL"]
    response = client.get(f"/oembed?url={base}/c/{SLUG}&format=json&maxheight=500")
    document = response.get_json()
    assert response.status_code == 200
    assert document["type"] == "rich" and document["version"] == "1.0"
    assert document["title"] == "Users' strike" and document["height"] == 500
    assert f'src="{base}/embed/{SLUG}/sign"' in document["html"]
    assert document["html"].startswith("<iframe") and 'height="500"' in document["html"]


def test_oembed_refuses_other_urls_with_a_message(app, client):
    published(app)
    base = app.config["BASE_URL"]
    cases = {
        "/oembed": 400,
        f"/oembed?url=https://elsewhere.example/c/{SLUG}": 404,
        f"/oembed?url={base}/c/nowhere": 404,
        f"/oembed?url={base}/organize/{SLUG}": 404,
        f"/oembed?url={base}/c/{SLUG}&format=xml": 400,
    }
    for path, status in cases.items():
        response = client.get(path)
        assert response.status_code == status, path
        assert response.get_json()["error"], path


def test_the_campaign_page_advertises_oembed(app, client):
    published(app)
    html = client.get(f"/c/{SLUG}").get_data(as_text=True)
    assert 'type="application/json+oembed"' in html
    href = re.search(r'type="application/json\+oembed" href="([^"]+)"', html).group(1)
    assert client.get(href.replace("&amp;", "&")).get_json()["type"] == "rich"
