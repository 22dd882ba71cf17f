"""Plain share links for a campaign page: each is an ordinary link to the network's own share
page, so the page loads nothing from another host and nobody is tracked before they click."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from flask_babel import gettext as _


@dataclass(frozen=True)
class ShareLink:
    network: str
    label: str
    href: str


# Each network's share page, and which parameters carry the page's address and title.
NETWORKS = (
    ("mastodon", "Mastodon", "https://mastodonshare.com/", {"url": "url", "text": "title"}),
    ("bluesky", "Bluesky", "https://bsky.app/intent/compose", {"text": "text"}),
    ("whatsapp", "WhatsApp", "https://wa.me/", {"text": "text"}),
    ("telegram", "Telegram", "https://t.me/share/url", {"url": "url", "text": "title"}),
    ("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php", {"u": "url"}),
    ("x", "X", "https://x.com/intent/post", {"url": "url", "text": "title"}),
    ("linkedin", "LinkedIn", "https://www.linkedin.com/sharing/share-offsite/", {"url": "url"}),
)


def share_links(url: str, title: str) -> list[ShareLink]:
    values = {"url": url, "title": title, "text": f"{title} {url}"}
    email = "mailto:?" + urlencode({"subject": title, "body": values["text"]}, quote_via=quote)
    links = [ShareLink("email", _("Email"), email)]
    for network, label, base, params in NETWORKS:
        query = urlencode({name: values[source] for name, source in params.items()})
        links.append(ShareLink(network, label, f"{base}?{query}"))
    return links
