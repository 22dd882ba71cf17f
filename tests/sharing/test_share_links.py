"""organizer.campaigns.share: plain links to each network, each sharing the campaign's
address with its channel's source code."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from organizer.campaigns.share import mastodon_share_url, share_links, with_source
from organizer.sources.codes import SHARE_CODES

URL = "https://cahier.example/c/stall"
HOSTS = {
    "bluesky": "bsky.app", "whatsapp": "wa.me", "telegram": "t.me",
    "facebook": "www.facebook.com", "x": "x.com", "linkedin": "www.linkedin.com",
}  # fmt: skip


def _links(app):
    with app.test_request_context():
        return share_links(
            URL, "Platform accountability", "https://cahier.example/c/stall/share/mastodon"
        )


def test_each_link_shares_the_address_with_its_own_source_code(app):
    links = _links(app)
    assert [link.network for link in links] == ["email", "mastodon", *HOSTS]
    for link in links:
        code = f"share-{link.network}"
        assert code in SHARE_CODES
        assert link.shared_url == f"{URL}?source={code}"
        assert link.shared_url in link.text
    for link in links[2:]:
        parts = urlsplit(link.href)
        assert parts.scheme == "https" and parts.netloc == HOSTS[link.network]
        values = [v for vs in parse_qs(parts.query).values() for v in vs]
        assert any(link.shared_url in value for value in values), link.href


def test_email_is_a_mailto_with_the_email_code_and_mastodon_goes_through_our_page(app):
    email, mastodon = _links(app)[:2]
    assert email.href.startswith("mailto:?subject=Platform%20accountability&body=")
    assert "source%3Dshare-email" in email.href
    assert mastodon.href == "https://cahier.example/c/stall/share/mastodon"
    assert mastodon.text == f"Platform accountability {URL}?source=share-mastodon"


def test_with_source_replaces_a_source_and_keeps_other_parameters():
    assert with_source(URL + "?source=qr&lang=fr", "flyer") == URL + "?lang=fr&source=flyer"
    assert with_source(URL, "qr") == URL + "?source=qr"


def test_the_mastodon_share_url_is_the_instance_own_share_page():
    url = mastodon_share_url("mastodon.social", "A b?c&d")
    assert url == "https://mastodon.social/share?text=A%20b%3Fc%26d"
