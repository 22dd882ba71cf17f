"""No page a person is sent to answers 403 for their own role: for a host, a guest, a
moderator and an organizer, every link on the page after login, in "My screenings", and in
their emails is followed (two clicks deep) and none is forbidden."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

from organizer.campaigns.models import Role
from organizer.events import rsvp
from tests.campaigns.conftest import build_campaign, publish
from tests.events.conftest import login
from tests.factories import EventFactory, MembershipFactory, UserFactory
from tests.support.mail import emails_to

HREF = re.compile(r'href="([^"]+)"')
URL = re.compile(r"https?://[^\s\"'<>]+")
SKIP = ("/static/", "/dev/", "/account/logout")
MAX_PAGES = 120


def _local(url: str) -> str | None:
    parts = urlsplit(urldefrag(url.replace("&amp;", "&"))[0])
    if parts.netloc not in ("", "localhost", "127.0.0.1"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not path.startswith("/") or path.startswith(SKIP):
        return None
    return path


def _forbidden(client, starts: list[str], depth: int = 2) -> list[tuple[str, str]]:
    """(page, where it was linked from) for every page that answered 403."""
    seen, found = set(starts), []
    queue = deque((url, "start", 0) for url in starts)
    while queue and len(seen) < MAX_PAGES:
        url, source, level = queue.popleft()
        response = client.get(url)
        if response.status_code == 403:
            found.append((url, source))
        if level >= depth or response.mimetype != "text/html":
            continue
        for href in HREF.findall(response.get_data(as_text=True)):
            target = _local(href)
            if target and target not in seen:
                seen.add(target)
                queue.append((target, url, level + 1))
    return found


def _email_links(address: str) -> list[str]:
    links = (_local(u) for e in emails_to(address) for u in URL.findall(e.text_body))
    return [link for link in links if link]


@pytest.fixture
def screening(ctx):
    owner = UserFactory()
    campaign = build_campaign(owner)
    publish(campaign, owner)
    event = EventFactory(campaign=campaign)
    MembershipFactory(campaign=campaign, user=event.host, role=Role.HOST)
    return event


def _after_login(client, user) -> str:
    from tests.factories import PASSWORD
    from tests.support.web import submit

    response = submit(client, "/account/login", {"email": user.email, "password": PASSWORD})
    login(client, user)
    return _local(response.headers.get("Location", "/")) or "/"


@pytest.mark.parametrize("role", ["host", "guest", "moderator", "organizer"])
def test_no_link_a_person_is_given_is_forbidden_to_them(client, screening, role):
    if role == "host":
        user = screening.host
    elif role == "guest":
        user = UserFactory()
        rsvp.request_place(screening, user.display_name, user.email, 1, "en", user)
    else:
        user = UserFactory()
        MembershipFactory(campaign=screening.campaign, user=user, role=Role(role))
    landing = _after_login(client, user)
    starts = [landing, "/", "/organize", "/events/mine", *_email_links(user.email)]
    assert _forbidden(client, list(dict.fromkeys(starts))) == []
