"""A partner's page on another origin embeds the sign form with the script snippet; a
visitor signs inside the frame, confirms through /dev/mail, and the count and the
organizer's per-source stats show it. The page cannot read the frame, every request goes to
the partner or to Cahier, and no cookie is set anywhere. A page on an origin the campaign
does not list gets no frame at all."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.support.services import celery_beat, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

SLUG = "coalition-strike"
TITLE = "Coalition strike"


@contextmanager
def partner_site(pages: dict[str, str]) -> Iterator[str]:
    """A tiny web server on another loopback port: a different origin from Cahier's, and a
    different site too (localhost, not 127.0.0.1)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.split("?")[0])
            if body is None:
                self.send_error(404)
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _page_html(title: str, body: str) -> str:
    # The host page's own styles: a red, serif world the frame must not inherit.
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{title}</title><style>body {{ font-family: serif; color: #b00; "
        "background: #fff7e0; margin: 1rem; } button { background: lime; }</style></head>"
        f"<body><h1>{title}</h1><p>Our friends' petition:</p>{body}</body></html>"
    )


@pytest.fixture
def seeded(app, committed_db, live_server):
    """The campaign, its owner, and partner A's group and partnership (without origin yet:
    each test names its partner site's)."""
    from organizer.extensions import db
    from organizer.partners.models import Partner, PartnerStatus
    from tests.factories import GroupFactory, UserFactory
    from tests.signatures.conftest import make_campaign

    with app.app_context():
        owner = UserFactory(email="olive@example.org", display_name="Olive Owner")
        campaign = make_campaign(owner, slug=SLUG, goal=100, title=TITLE)
        group = GroupFactory(name="Partner A")
        db.session.add(Partner(campaign_id=campaign.id, group_id=group.id,
                               source_code="partner-a", status=PartnerStatus.ACTIVE))  # fmt: skip
        db.session.commit()
    return live_server


def _set_partner_origin(app, origin: str) -> None:
    from sqlalchemy import update

    from organizer.extensions import db
    from organizer.partners.models import Partner

    with app.app_context():
        db.session.execute(update(Partner).values(origin=origin))
        db.session.commit()


@pytest.fixture
def beat(services, e2e_env, tmp_path, worker_devmail):
    env = {**e2e_env, "SIGNATURE_COUNT_INTERVAL_SECONDS": "0.5"}
    process = celery_beat(env, services.log_dir, tmp_path / "beat-schedule")
    yield process
    process.stop()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _confirm_link(page) -> str:
    page.goto("/dev/mail")
    for _ in range(80):
        link = page.get_by_role("link", name=f"Confirm your signature: {TITLE}")
        if link.count():
            link.first.click()
            body = page.locator("pre").first.inner_text()
            return re.search(r"https?://\S+(/s/confirm/\S+)", body).group(1)
        page.wait_for_timeout(250)
        page.reload()
    raise AssertionError("no confirmation email arrived in /dev/mail")


def _wait_for_count(app, expected: int) -> None:
    """The beat folds the confirmation into the counters within a second or so. The counter
    embed is cacheable for a minute, so the test waits for the fold, not for the frame."""
    import time

    from organizer.campaigns.services import get_by_slug
    from organizer.extensions import db
    from organizer.signatures import counting

    for _ in range(120):
        with app.app_context():
            campaign_id = get_by_slug(SLUG).id
            if counting.totals(campaign_id, None).total == expected:
                return
            db.session.remove()
        time.sleep(0.25)
    raise AssertionError(f"the count never reached {expected}")


def test_a_partner_page_embeds_the_form_and_the_signature_counts(app, browser, seeded, beat, shots):
    cahier = seeded
    snippet_page = (
        f'<script src="{cahier}/embed.js" async></script>'
        f'<div data-cahier-sign="{SLUG}" data-source="partner-a" data-lang="en"></div>'
        f'<div data-cahier-count="{SLUG}"></div>'
    )
    french_page = (
        f'<script src="{cahier}/embed.js" async></script>'
        f'<div data-cahier-sign="{SLUG}" data-source="partner-a" data-lang="fr" '
        'data-theme="dark"></div>'
    )
    pages = {
        "/petition.html": _page_html("Partner A", snippet_page),
        "/petition-fr.html": _page_html("Partenaire A", french_page),
    }
    with partner_site(pages) as partner:
        _set_partner_origin(app, partner)
        # Tall enough for both frames: a full-page screenshot leaves out-of-process frames
        # below the viewport blank.
        context = browser.new_context(
            base_url=cahier, locale="en-GB", viewport={"width": 1280, "height": 1100}
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))

        page.goto(f"{partner}/petition.html", wait_until="domcontentloaded")
        frame = page.frame_locator("iframe[src*='/sign']")
        expect(frame.get_by_role("heading", name=f"Sign “{TITLE}”")).to_be_visible()
        # The frame told the page its height, and the page sized the frame to it.
        page.wait_for_function(
            "() => document.querySelector('iframe[src*=\"/sign\"]').style.height !== '760px'"
        )
        # The frame's styles are its own: the host's lime buttons and serif text stay out.
        button = frame.get_by_role("button", name="Sign", exact=True)
        assert button.evaluate("b => getComputedStyle(b).backgroundColor") != "rgb(0, 255, 0)"
        shots(page, "partner-page")

        # Cross-origin: the partner page gets no handle on the frame's document.
        access = page.evaluate(
            """() => Array.from(document.querySelectorAll('iframe')).map(f => {
                 if (f.contentDocument !== null) return 'readable';
                 try { f.contentWindow.document.body; return 'readable'; }
                 catch (error) { return 'refused'; } })"""
        )
        assert access == ["refused", "refused"]

        frame.get_by_label("Your name").fill("Louise Michel")
        frame.get_by_label("Your email").fill("louise@example.org")
        frame.get_by_label("Country").select_option("FR")
        frame.get_by_label("Show my name on the public list of signers.").check()
        button.click()
        expect(frame.get_by_role("heading", name="Check your email")).to_be_visible()
        expect(frame.get_by_text("We have sent a link to louise@example.org.")).to_be_visible()
        shots(page, "partner-page-check-email")

        mail = context.new_page()
        confirm_path = _confirm_link(mail)
        mail.goto(confirm_path)
        mail.get_by_role("button", name="Confirm my signature").click()
        expect(
            mail.get_by_role("heading", name="Thank you, your signature is confirmed")
        ).to_be_visible()
        mail.close()

        _wait_for_count(app, 1)
        # A fresh visitor (the first one's browser may keep the counter for its minute).
        second = browser.new_context(
            base_url=cahier, locale="en-GB", viewport={"width": 1280, "height": 1100}
        )
        second.set_default_timeout(15_000)
        page = second.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.goto(f"{partner}/petition.html", wait_until="domcontentloaded")
        counter = page.frame_locator("iframe[src*='/count']")
        expect(counter.locator(".tally-count strong")).to_have_text("1")
        expect(counter.get_by_text("signature of a goal of 100")).to_be_visible()
        signing_frame = page.frame_locator("iframe[src*='/sign']")
        expect(signing_frame.get_by_role("heading", name=f"Sign “{TITLE}”")).to_be_visible()
        page.wait_for_load_state("load")
        shots(page, "partner-page-count-rose")

        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{partner}/petition-fr.html", wait_until="domcontentloaded")
        french = page.frame_locator("iframe[src*='/sign']")
        expect(french.get_by_role("button", name="Signer", exact=True)).to_be_visible()
        page.wait_for_load_state("load")  # the frame's stylesheets too, as a browser paints it
        overflow = french.locator("html").evaluate("html => html.scrollWidth - html.clientWidth")
        assert overflow <= 0
        shots(page, "partner-page-390-french-dark")

        allowed = {partner, cahier}
        strays = [url for url in requests if _origin(url) not in allowed]
        assert requests and strays == []
        assert context.cookies() == [] and second.cookies() == []
        context.close()
        second.close()

    with app.app_context():
        from sqlalchemy import select

        from organizer.extensions import db
        from organizer.signatures.models import Signature

        assert db.session.execute(select(Signature.source, Signature.status)).all() == [
            ("partner-a", "confirmed")
        ]

    organizer = browser.new_context(base_url=cahier, locale="en-GB")
    organizer.set_default_timeout(15_000)
    page = organizer.new_page()
    page.goto("/account/login")
    page.locator("[name=email]").fill("olive@example.org")
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.get_by_role("link", name=TITLE).first.click()
    page.locator(".organizer-nav").get_by_role("link", name="Sources").click()
    row = page.get_by_role("row", name=re.compile("partner-a"))
    expect(row.get_by_role("cell").first).to_have_text("1")
    shots(page, "organizer-sources")
    page.locator(".organizer-nav").get_by_role("link", name="Embed").click()
    expect(page.get_by_role("heading", name="Embed the campaign on other websites")).to_be_visible()
    expect(page.get_by_text(partner)).to_be_visible()
    preview = page.frame_locator("iframe.embed-preview")
    preview.get_by_label("Your email").scroll_into_view_if_needed()
    expect(preview.get_by_role("heading", name=f"Sign “{TITLE}”")).to_be_visible()
    page.get_by_role(
        "heading", name="Embed the campaign on other websites"
    ).scroll_into_view_if_needed()
    shots(page, "organizer-embed-page")
    organizer.close()


def test_a_page_on_an_unlisted_origin_gets_no_frame(app, browser, seeded, shots):
    cahier = seeded
    iframe = f'<iframe src="{cahier}/embed/{SLUG}/sign" width="600" height="500"></iframe>'
    listed = partner_site({"/petition.html": _page_html("Partner A", iframe)})
    unlisted = partner_site({"/stolen.html": _page_html("Not a partner", iframe)})
    with listed as partner, unlisted as stranger:
        _set_partner_origin(app, partner)
        context = browser.new_context(base_url=cahier, locale="en-GB")
        context.set_default_timeout(15_000)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))

        page.goto(f"{stranger}/stolen.html")
        page.wait_for_load_state("load")
        embedded = page.frames[1]
        assert embedded.locator("input[name=email]").count() == 0
        assert any("frame-ancestors" in line for line in console), console
        shots(page, "unlisted-origin-refused")

        # The same iframe on the partner's listed origin shows the form: the list decided.
        page.goto(f"{partner}/petition.html", wait_until="domcontentloaded")
        expect(page.frame_locator("iframe").get_by_label("Your email")).to_be_visible()
        context.close()
