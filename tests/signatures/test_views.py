from __future__ import annotations

import re
import time
from datetime import timedelta

from sqlalchemy import select

from organizer.db import utcnow
from organizer.extensions import db
from organizer.mail.models import OutboundEmail
from organizer.signatures import counting
from organizer.signatures.models import Signature, SignatureStatus
from tests.factories import UserFactory

from .conftest import ORIGIN, make_campaign, setup

FORM = {
    "name": "Ada Lovelace",
    "email": "ada@example.org",
    "country": "GB",
    "show_name": "y",
    "receive_updates": "y",
}


def published(app, slug="strike", goal=1000):
    with setup(app):
        owner = UserFactory(display_name="Olive Owner")
        make_campaign(owner, slug=slug, goal=goal)
        return owner.email


def _confirm_link(app, to):
    with app.app_context():
        email = db.session.scalars(
            select(OutboundEmail)
            .where(OutboundEmail.to_addr == to, OutboundEmail.kind == "signature_confirm")
            .order_by(OutboundEmail.id.desc())
        ).first()
        return re.search(r"http://\S+(/s/confirm/\S+)", email.text_body).group(1)


def _fold(app):
    with app.app_context():
        counting.fold()
        db.session.commit()


def test_the_campaign_page_has_the_sign_form_and_stays_cookie_free(app, client):
    published(app)
    first = client.get("/c/strike")
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert 'action="/c/strike/sign"' in html and 'name="email"' in html
    assert "csrf_token" not in html and "Set-Cookie" not in first.headers
    assert 'class="hp"' in html and "Choose your country" in html
    assert "/static/css/signatures.css" in html
    other = app.test_client().get("/c/strike")
    assert other.get_data(as_text=True) == html


def test_sign_confirm_by_post_only_and_count(app, client):
    published(app)
    response = client.post("/c/strike/sign", data=FORM, headers=ORIGIN)
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    link = _confirm_link(app, "ada@example.org")

    page = client.get(link)
    assert page.status_code == 200 and "Confirm my signature" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    client.get(link)  # a mail scanner, twice
    _fold(app)
    assert client.get("/c/strike/count.json").json["signatures"] == 0

    done = client.post(link, headers=ORIGIN)
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "your signature is confirmed" in html
    assert "/s/manage/" in html and "mailto:?subject=" in html
    # Only our own scripts (the share box's): nothing from another host.
    assert not re.search(r'<script(?![^>]* src="/static/)', html)
    _fold(app)
    assert client.get("/c/strike/count.json").json["signatures"] == 1
    # Single use: a second click confirms nothing more and says so, in a friendly page.
    for again in (client.post(link, headers=ORIGIN), client.get(link)):
        text = again.get_data(as_text=True)
        assert again.status_code == 200 and "already confirmed" in text
        assert "Confirm my signature" not in text and "/s/manage/" in text
    _fold(app)
    assert client.get("/c/strike/count.json").json["signatures"] == 1


def test_an_unknown_or_expired_link_still_gets_the_invalid_link_page(app, client):
    published(app)
    client.post("/c/strike/sign", data=FORM, headers=ORIGIN)
    link = _confirm_link(app, "ada@example.org")
    with app.app_context():
        signature = db.session.scalars(select(Signature)).one()
        signature.token_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    unknown = link[:-6] + "AAAAAA"
    for url in (link, unknown):
        for response in (client.get(url), client.post(url, headers=ORIGIN)):
            assert response.status_code == 400
            assert "This link does not work" in response.get_data(as_text=True)


def test_a_used_link_of_a_withdrawn_signature_is_not_called_confirmed(app, client):
    published(app)
    client.post("/c/strike/sign", data=FORM, headers=ORIGIN)
    link = _confirm_link(app, "ada@example.org")
    client.post(link, headers=ORIGIN)
    with app.app_context():
        from organizer.signatures import confirmation

        confirmation.withdraw(db.session.scalars(select(Signature)).one())
        db.session.commit()
    response = client.post(link, headers=ORIGIN)
    assert response.status_code == 400
    assert "already confirmed" not in response.get_data(as_text=True)


def test_a_cross_site_post_cannot_sign_or_confirm(app, client):
    published(app)
    evil = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    assert client.post("/c/strike/sign", data=FORM, headers=evil).status_code == 403
    assert client.post("/c/strike/sign", data=FORM).status_code == 400  # no origin at all


def test_form_errors_and_disposable_addresses_are_shown_not_stored(app, client):
    published(app)
    response = client.post(
        "/c/strike/sign", data={**FORM, "email": "x@mailinator.com"}, headers=ORIGIN
    )
    assert response.status_code == 200 and "disposable" in response.get_data(as_text=True)
    response = client.post("/c/strike/sign", data={**FORM, "country": "XX"}, headers=ORIGIN)
    assert "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Signature)).all() == []


def test_a_bot_filling_the_honeypot_sees_the_same_page(app, client):
    published(app)
    response = client.post("/c/strike/sign", data={**FORM, "website": "http://x"}, headers=ORIGIN)
    assert "Check your email" in response.get_data(as_text=True)
    with app.app_context():
        signature = db.session.scalars(select(Signature)).one()
        assert signature.suspect and signature.status == SignatureStatus.PENDING
        assert db.session.scalars(select(OutboundEmail)).all() == []


def test_count_json_is_cacheable_and_public(app, client):
    published(app)
    response = client.get("/c/strike/count.json")
    assert response.status_code == 200
    cache = response.headers["Cache-Control"]
    assert "public" in cache and "max-age=1," in cache and "stale-while-revalidate=1" in cache
    assert "Set-Cookie" not in response.headers
    assert response.json == {
        "campaign": "strike",
        "signatures": 0,
        "offline": 0,
        "total": 0,
        "goal": 1000,
        "percent": 0,
        "by_country": {},
    }
    assert client.get("/c/nope/count.json").status_code == 404


def test_count_json_leaves_nginx_when_its_second_ends(app, client):
    # nginx's "1s" ran from the whole second it stored the count, so up to 2 s.
    published(app)
    before = int(time.time())
    expires = client.get("/c/strike/count.json").headers["X-Accel-Expires"]
    assert expires.startswith("@")
    assert before <= int(expires[1:]) <= int(time.time())
    assert client.get("/c/strike").headers["X-Accel-Expires"].startswith("@")


def test_the_wall_shows_only_consenting_confirmed_signers_newest_first(app, client):
    from .conftest import confirm_now, sign

    published(app)
    with setup(app):
        from organizer.campaigns import services

        campaign = services.get_by_slug("strike")
        confirm_now(sign(campaign, "a@example.org", name="Alice Anon", show_name=False)[1])
        confirm_now(sign(campaign, "b@example.org", name="Bea First")[1])
        confirm_now(sign(campaign, "c@example.org", name="Cleo Second", country="FR")[1])
        sign(campaign, "d@example.org", name="Dee Pending")
    html = client.get("/c/strike/signers").get_data(as_text=True)
    assert "Alice" not in html and "Dee Pending" not in html
    assert html.index("Cleo Second") < html.index("Bea First")
    assert "France" in html


def test_the_page_shows_progress_chart_and_countries_once_counted(app, client):
    from .conftest import confirm_now, sign

    published(app, goal=4)
    with setup(app):
        from organizer.campaigns import services

        campaign = services.get_by_slug("strike")
        for i, country in enumerate(["US", "GB", "US"]):
            confirm_now(sign(campaign, f"s{i}@example.org", country=country)[1])
        counting.fold()
    html = client.get("/c/strike").get_data(as_text=True)
    assert '<progress max="100" value="75"' in html
    assert "<svg" in html and 'class="bar"' in html
    assert "United States" in html and "3</strong>" in html
