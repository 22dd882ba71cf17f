"""The sharing routes: content types, sizes, cache headers, source codes, and who sees what."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

from PIL import Image

from organizer.campaigns import services as campaigns
from organizer.sharing.services import PREVIEW_CACHE
from organizer.signatures import counting
from tests.campaigns.conftest import build_campaign
from tests.conftest import ARTIFACTS
from tests.factories import EventFactory, UserFactory
from tests.sharing.test_qr import expected_modules, modules_of_png
from tests.signatures.conftest import ORIGIN, confirm_now, sign

from .conftest import OWNER, SLUG, login, setup

OUT = ARTIFACTS / "sharing"


def keep(name, data):
    """Kept in test-artifacts/sharing/ to be looked at."""
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / name).write_bytes(data)


class Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.scripts: list[str] = []
        self.links: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        values = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("property" in values or "name" in values):
            self.meta[values.get("property") or values["name"]] = values.get("content", "")
        if tag == "script" and "src" in values:
            self.scripts.append(values["src"])
        if tag == "a":
            self.links.append(values)


def parse(html):
    head = Head()
    head.feed(html)
    return head


def _png(response):
    image = Image.open(io.BytesIO(response.data))
    return image.format, image.size


def test_the_qr_codes_encode_the_address_with_the_qr_source(app, client, campaign):
    url = f"{app.config['BASE_URL']}/c/{SLUG}?source=qr"
    png = client.get(f"/c/{SLUG}/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.headers["Cache-Control"] == "public, max-age=3600"
    assert modules_of_png(png.data) == expected_modules(url)
    svg = client.get(f"/c/{SLUG}/qr.svg")
    assert svg.mimetype == "image/svg+xml"
    assert f"<title>{url}</title>" in svg.get_data(as_text=True)
    assert "Set-Cookie" not in png.headers and "Set-Cookie" not in svg.headers


def test_a_draft_has_qr_codes_for_its_team_only_and_never_in_a_shared_cache(app, client, ctx):
    with setup(app):
        build_campaign(UserFactory(email=OWNER), slug="draft-one")
    assert client.get("/c/draft-one/qr.png").status_code == 404
    login(client, OWNER)
    response = client.get("/c/draft-one/qr.svg")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"


def test_the_preview_image_is_1200_by_630_cached_for_a_minute(app, client, campaign):
    response = client.get(f"/c/{SLUG}/preview.png")
    keep("og-campaign.png", response.data)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert _png(response) == ("PNG", (1200, 630))
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Set-Cookie" not in response.headers
    again = client.get(f"/c/{SLUG}/preview.png")
    assert again.data == response.data
    assert len(app.extensions[PREVIEW_CACHE]) == 1


def test_a_new_signature_draws_a_new_preview_within_the_minute(app, client, campaign):
    before = client.get(f"/c/{SLUG}/preview.png").data
    with setup(app):
        confirm_now(sign(campaigns.get_by_slug(SLUG), "late@example.org", country="FR")[1])
        counting.fold()
    after = client.get(f"/c/{SLUG}/preview.png").data
    assert after != before  # the key holds the count, not only the minute
    assert client.get("/c/nowhere/preview.png").status_code == 404


def test_the_event_preview_is_an_image_of_the_event(app, client, ctx):
    with setup(app):
        event = EventFactory()
        pending = EventFactory(status="pending")
        ids = event.id, pending.id
    response = client.get(f"/events/{ids[0]}/preview.png")
    keep("og-event.png", response.data)
    assert _png(response) == ("PNG", (1200, 630))
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert client.get(f"/events/{ids[1]}/preview.png").status_code == 404
    page = parse(client.get(f"/events/{ids[0]}").get_data(as_text=True))
    assert page.meta["og:image"].endswith(f"/events/{ids[0]}/preview.png")
    assert page.meta["twitter:card"] == "summary_large_image"


def test_the_campaign_page_has_link_preview_tags(app, client, campaign):
    html = client.get(f"/c/{SLUG}").get_data(as_text=True)
    meta = parse(html).meta
    base = app.config["BASE_URL"]
    assert meta["og:image"] == f"{base}/c/{SLUG}/preview.png"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
    assert meta["og:title"] == meta["twitter:title"] == "Platform accountability"
    assert meta["og:description"] == "Make platforms answer."
    assert meta["og:url"] == f"{base}/c/{SLUG}"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["twitter:image"] == meta["og:image"]


def _share_hrefs(html):
    return {
        re.sub(r"^share-", "", a["class"]): a["href"]
        for a in parse(html).links
        if a.get("class", "").startswith("share-")
    }


def _assert_share_links(html):
    hrefs = _share_hrefs(html)
    assert set(hrefs) == {"email", "mastodon", "bluesky", "whatsapp", "telegram", "facebook",
                          "x", "linkedin"}  # fmt: skip
    for network, href in hrefs.items():
        assert f"source%3Dshare-{network}" in href or network == "mastodon", href
    assert urlsplit(hrefs["mastodon"]).path == f"/c/{SLUG}/share/mastodon"
    assert "?source=share-copy" in html and 'data-share-copy="' in html
    scripts = parse(html).scripts
    assert scripts and all(src.startswith("/static/") for src in scripts), scripts


def test_the_campaign_page_shares_with_a_code_per_channel_and_only_our_scripts(client, campaign):
    _assert_share_links(client.get(f"/c/{SLUG}").get_data(as_text=True))


def test_the_pages_after_signing_offer_the_same_links(app, client, campaign):
    response = client.post(
        f"/c/{SLUG}/sign",
        data={"name": "Ada", "email": "ada@example.org", "country": "FR"},
        headers=ORIGIN,
    )
    assert "Check your email" in response.get_data(as_text=True)
    _assert_share_links(response.get_data(as_text=True))
    with setup(app):
        signature = sign(campaigns.get_by_slug(SLUG), "bea@example.org")[1]
        from organizer.signatures.tokens import new_confirmation_token

        token = new_confirmation_token(signature)
    confirmed = client.post(f"/s/confirm/{token}", headers=ORIGIN)
    assert "your signature is confirmed" in confirmed.get_data(as_text=True)
    _assert_share_links(confirmed.get_data(as_text=True))


def test_the_mastodon_page_asks_for_the_instance_and_never_redirects(client, campaign):
    page = client.get(f"/c/{SLUG}/share/mastodon")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="instance"' in html and "Set-Cookie" not in page.headers
    chosen = client.get(f"/c/{SLUG}/share/mastodon?instance=@ada@Piaille.fr")
    assert chosen.status_code == 200 and "Location" not in chosen.headers
    assert chosen.headers["Cache-Control"] == "private, no-store"
    assert "Set-Cookie" not in chosen.headers
    target = next(a["href"] for a in parse(chosen.get_data(as_text=True)).links
                  if a["href"].startswith("https://"))  # fmt: skip
    parts = urlsplit(target)
    assert (parts.netloc, parts.path) == ("piaille.fr", "/share")
    assert parse_qs(parts.query)["text"][0].endswith(f"/c/{SLUG}?source=share-mastodon")


def test_a_bad_instance_is_a_400_that_says_why(client, campaign):
    response = client.get(f"/c/{SLUG}/share/mastodon?instance=not a server")
    assert response.status_code == 400
    assert "is not the address of a server" in response.get_data(as_text=True)
    assert "https://not" not in response.get_data(as_text=True)


def test_the_share_and_print_page_is_reached_from_the_dashboard(owner_client):
    dashboard = owner_client.get(f"/organize/{SLUG}").get_data(as_text=True)
    assert f'href="/organize/{SLUG}/share"' in dashboard
    html = owner_client.get(f"/organize/{SLUG}/share").get_data(as_text=True)
    for href in (f"/c/{SLUG}/qr.svg", f"/c/{SLUG}/qr.png", f"/c/{SLUG}/preview.png",
                 f"/organize/{SLUG}/share/flyer-en.pdf", f"/organize/{SLUG}/share/flyer-fr.pdf",
                 f"/organize/{SLUG}/share/sheet-en.pdf", f"/organize/{SLUG}/share/sheet-fr.pdf",
                 f"/organize/{SLUG}/signatures/offline"):  # fmt: skip
        assert f'"{href}"' in html, href
    assert "?source=share-linkedin" in html and "?source=flyer" in html


def test_only_the_team_opens_share_and_print(app, client, campaign):
    assert client.get(f"/organize/{SLUG}/share").status_code == 302
    assert client.get(f"/organize/{SLUG}/share/flyer-en.pdf").status_code == 302
    with setup(app):
        UserFactory(email="outsider@example.org")
    login(client, "outsider@example.org")
    assert client.get(f"/organize/{SLUG}/share").status_code == 403
    assert client.get(f"/organize/{SLUG}/share/sheet-en.pdf").status_code == 403


def test_a_language_we_do_not_print_is_a_404(owner_client):
    assert owner_client.get(f"/organize/{SLUG}/share/flyer-de.pdf").status_code == 404


def test_every_code_the_links_and_the_street_carry_opens_the_page(client, campaign):
    from organizer.sources.codes import BUILT_IN_CODES

    for code in sorted(BUILT_IN_CODES):
        response = client.get(f"/c/{SLUG}?source={code}")
        assert response.status_code == 200, code
