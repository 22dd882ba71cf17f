"""The campaign's dashboard at /organize/<slug>: what needs attention, the tools each role
opens, the sub-navigation on every organizer page, and that every organizer page is reached
from it by following links."""

from __future__ import annotations

from collections import deque
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from werkzeug.exceptions import HTTPException

from organizer.campaigns import amendments, revisions
from organizer.campaigns.models import AmendmentKind, Membership, Role
from organizer.db import utcnow
from organizer.events.models import EventStatus
from organizer.extensions import db
from organizer.letters import directory
from organizer.letters import services as letters
from organizer.letters.models import LetterStatus
from organizer.signatures import counting
from organizer.signatures.models import Pledge, SignatureStatus
from tests.factories import EventFactory, SignatureFactory, UserFactory
from tests.letters.conftest import build_campaign, seed_signers
from tests.support.web import csrf_token

from .conftest import login, setup

SLUG = "walk"
PREFIX = f"/organize/{SLUG}"
# Ids the crawl can meet in the seeded data; rules that need any other value (a moderation
# job, a generated document, a response file) are left out of the expected set.
FILLABLE = {"slug", "section_id", "demand_id", "letter_id", "membership_id"}


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.current: list[str] = []
        self._in_nav = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "nav" and "organizer-nav" in (values.get("class") or ""):
            self._in_nav += 1
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")
            if self._in_nav and values.get("aria-current") == "page":
                self.current.append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._in_nav:
            self._in_nav -= 1


def parse(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


@pytest.fixture
def world(app, db_session):
    """A published campaign with signers, letters, a screening to approve, amendments, a
    suspect signature and a pledge near its threshold; an owner, a moderator and a host."""
    with setup(app):
        directory.import_bundled()
        owner = UserFactory(email="owner@example.org")
        campaign = build_campaign(owner, slug=SLUG)
        seed_signers(campaign)
        sent, *_drafts = letters.write_letters(letters.preview(campaign, add=[]), owner)
        sent.status = LetterStatus.SENT
        EventFactory(campaign=campaign, status=EventStatus.PENDING)
        proposer = UserFactory()
        amendments.propose(campaign, proposer, AmendmentKind.REMOVE, "A1", "", "Too narrow.")
        declined = amendments.propose(campaign, proposer, AmendmentKind.REMOVE, "A2", "", "No.")
        amendments.decline(declined, owner, "We keep it.")
        accepted = amendments.propose(campaign, proposer, AmendmentKind.REMOVE, "B1", "", "Ok.")
        amendments.accept(accepted, owner)  # so there is a draft to publish
        revision = revisions.published_revision(campaign)
        SignatureFactory(campaign_id=campaign.id, revision_id=revision.id,
                         status=SignatureStatus.CONFIRMED, suspect=True)  # fmt: skip
        db.session.add(Pledge(campaign_id=campaign.id, text="I will switch off for a week.",
                              threshold=10, deadline=(utcnow() + timedelta(days=30)).date(),
                              committed=8))  # fmt: skip
        counting.reconcile([campaign.id])  # the seeded signatures bypassed the counter
        for email, role in (("mod@example.org", Role.MODERATOR), ("host@example.org", Role.HOST)):
            db.session.add(Membership(campaign_id=campaign.id, user=UserFactory(email=email),
                                      role=role))  # fmt: skip
    return campaign


def organizer_rules(app):
    """GET rules of one campaign's organizer pages whose values the crawl can fill."""
    return {
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and (rule.rule == "/organize/<slug>" or rule.rule.startswith("/organize/<slug>/"))
        and set(rule.arguments) <= FILLABLE
    }


def crawl(client, start):
    """Breadth-first over the links of organizer pages, GET only, never leaving PREFIX."""
    seen, queue, pages = {start}, deque([start]), {}
    while queue:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        pages[url] = response
        response.get_data()  # a streamed download keeps its request context until read
        response.close()
        if response.mimetype != "text/html":
            continue
        for href in parse(response.get_data(as_text=True)).hrefs:
            target = urldefrag(href).url
            path = urlsplit(target).path
            if (path == PREFIX or path.startswith(PREFIX + "/")) and target not in seen:
                seen.add(target)
                queue.append(target)
    return pages


def test_every_organizer_page_is_reached_from_the_dashboard(app, client, world):
    login(client, "owner@example.org")
    pages = crawl(client, PREFIX)
    adapter = app.url_map.bind("localhost")
    reached = set()
    for url in pages:
        try:
            rule, _args = adapter.match(urlsplit(url).path, method="GET", return_rule=True)
        except HTTPException:  # pragma: no cover - a link to nowhere fails the test
            pytest.fail(f"{url} matches no route")
        reached.add(rule.rule)
    expected = organizer_rules(app)
    assert expected - reached == set()
    assert {"/organize/<slug>/letters", "/organize/<slug>/events",
            "/organize/<slug>/letters/<int:letter_id>"} <= expected  # fmt: skip
    for url, response in pages.items():
        if response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        assert 'class="organizer-nav"' in html, url
        assert 'href="/organize"' in html and f'href="{PREFIX}"' in html, url


def test_the_sub_navigation_marks_the_current_page(app, client, world):
    login(client, "owner@example.org")
    for path in ("", "/text", "/letters", "/events", "/amendments", "/signatures/moderation"):
        links = parse(client.get(PREFIX + path).get_data(as_text=True))
        assert links.current == [PREFIX + path], path


def test_the_dashboard_counts_what_needs_attention_and_links_the_tool(app, client, world):
    login(client, "owner@example.org")
    html = client.get(PREFIX).get_data(as_text=True)
    for text, href in (
        ("1 screening awaits approval", f"{PREFIX}/events"),
        ("1 open amendment awaits a decision", f"{PREFIX}/amendments"),
        ("1 suspect signature to review", f"{PREFIX}/signatures/moderation"),
        ("1 sent letter awaits a response", f"{PREFIX}/letters"),
        ("1 pledge is near its threshold", f"{PREFIX}/signatures/pledges"),
    ):
        assert f'<li><a href="{href}">{text}</a></li>' in html, text
    assert "12 confirmed signatures" in html
    assert "No signature goal is set." in html


def test_nothing_to_do_is_said_plainly(app, client, db_session):
    with setup(app):
        owner = UserFactory(email="calm@example.org")
        build_campaign(owner, slug="calm")
    login(client, "calm@example.org")
    html = client.get("/organize/calm").get_data(as_text=True)
    assert "Nothing needs your attention right now." in html
    assert "0 confirmed signatures" in html


def test_a_moderator_sees_moderation_not_the_editor(app, client, world):
    login(client, "mod@example.org")
    html = client.get(PREFIX).get_data(as_text=True)
    hrefs = set(parse(html).hrefs)
    assert {f"{PREFIX}/signatures/moderation", f"{PREFIX}/audit", f"{PREFIX}/events"} <= hrefs
    assert not hrefs & {f"{PREFIX}/text", f"{PREFIX}/letters", f"{PREFIX}/settings",
                        f"{PREFIX}/amendments"}  # fmt: skip
    assert "1 suspect signature to review" in html
    assert "open amendment" not in html


def test_a_host_is_sent_to_their_screenings_not_the_dashboard(app, client, world):
    login(client, "host@example.org")
    response = client.get(PREFIX)
    assert response.status_code == 302 and response.headers["Location"] == "/events/mine"
    campaigns = client.get("/organize").get_data(as_text=True)
    assert f'href="{PREFIX}"' not in campaigns and 'href="/events/mine"' in campaigns


def test_your_campaigns_links_each_campaign_to_its_dashboard(app, client, world):
    login(client, "owner@example.org")
    html = client.get("/organize").get_data(as_text=True)
    assert f'href="{PREFIX}"' in html
    assert "1 open amendment." in html


def test_outsiders_get_no_dashboard(app, client, world):
    assert client.get(PREFIX).status_code == 302  # to the login page
    with setup(app):
        UserFactory(email="outsider@example.org")
    login(client, "outsider@example.org")
    assert client.get(PREFIX).status_code == 403  # the campaign is public: no secret
    assert client.get(f"{PREFIX}/amendments").status_code == 403


def test_editor_actions_still_land_in_the_editor(app, client, world):
    login(client, "owner@example.org")
    editor = client.get(f"{PREFIX}/text")
    assert editor.status_code == 200
    response = client.post(
        f"{PREFIX}/sections",
        data={"csrf_token": csrf_token(editor.get_data(as_text=True)), "title": "Safety"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"{PREFIX}/text#section-")


def test_a_bad_amendment_filter_is_a_400_with_a_message(app, client, world):
    login(client, "owner@example.org")
    response = client.get(f"{PREFIX}/amendments?status=maybe")
    assert response.status_code == 400
    assert "Show open, accepted or declined amendments." in response.get_data(as_text=True)
