"""Plain share links for a campaign page: each is an ordinary link to the network's own share
page, so the page loads nothing from another host and nobody is tracked before they click.

Each link shares the campaign's address with its channel's source code (``share-x``, …), so
that organizers see which channel brings signatures. Mastodon has no one share page: the
link goes to a page of ours that asks for the visitor's instance (static/js/share.js keeps
it in the browser's localStorage, never on the server).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from flask_babel import gettext as _

from organizer.sources.codes import share_code


@dataclass(frozen=True)
class ShareLink:
    network: str
    label: str
    href: str
    # What the link shares: the campaign's address with this channel's source code.
    shared_url: str
    text: str


# Each network's share page, and which parameters carry the page's address and title.
NETWORKS = (
    ("bluesky", "Bluesky", "https://bsky.app/intent/compose", {"text": "text"}),
    ("whatsapp", "WhatsApp", "https://wa.me/", {"text": "text"}),
    ("telegram", "Telegram", "https://t.me/share/url", {"url": "url", "text": "title"}),
    ("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php", {"u": "url"}),
    ("x", "X", "https://x.com/intent/post", {"url": "url", "text": "title"}),
    ("linkedin", "LinkedIn", "https://www.linkedin.com/sharing/share-offsite/", {"url": "url"}),
)


def with_source(url: str, code: str) -> str:
    """The address with ``?source=<code>`` in place of any source it had."""
    parts = urlsplit(url)
    kept = [p for p in parts.query.split("&") if p and not p.startswith("source=")]
    query = "&".join([*kept, urlencode({"source": code})])
    return urlunsplit(parts._replace(query=query))


def share_text(url: str, title: str) -> str:
    return f"{title} {url}"


def share_links(url: str, title: str, mastodon_page: str) -> list[ShareLink]:
    """Email first, then Mastodon (through ``mastodon_page``, ours), then the others."""
    mail_url = with_source(url, share_code("email"))
    mail_text = share_text(mail_url, title)
    email = "mailto:?" + urlencode({"subject": title, "body": mail_text}, quote_via=quote)
    mastodon_url = with_source(url, share_code("mastodon"))
    links = [
        ShareLink("email", _("Email"), email, mail_url, mail_text),
        ShareLink("mastodon", "Mastodon", mastodon_page, mastodon_url,
                  share_text(mastodon_url, title)),
    ]  # fmt: skip
    for network, label, base, params in NETWORKS:
        shared = with_source(url, share_code(network))
        values = {"url": shared, "title": title, "text": share_text(shared, title)}
        query = urlencode({name: values[source] for name, source in params.items()})
        links.append(ShareLink(network, label, f"{base}?{query}", shared, values["text"]))
    return links


def mastodon_share_url(instance: str, text: str) -> str:
    """The share page of a Mastodon instance (``/share?text=`` since Mastodon 1.x)."""
    return f"https://{instance}/share?" + urlencode({"text": text}, quote_via=quote)
