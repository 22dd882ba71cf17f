"""Sharing in Chromium: the share links load nothing from another host, on the campaign page
and after signing; the copy button copies the address with its code; the Mastodon instance
is remembered in the browser's localStorage and nowhere else."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.steps import no_sideways_scroll

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

SLUG = "partage"
TITLE = "Des plateformes qui rendent des comptes"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
NETWORK_HOSTS = {"bsky.app", "wa.me", "t.me", "www.facebook.com", "x.com", "www.linkedin.com"}
INSTANCE = "mastodon.example"


@pytest.fixture
def campaign(app, committed_db):
    from organizer.campaigns import revisions, services
    from organizer.extensions import db
    from organizer.signatures import counting
    from tests.factories import UserFactory
    from tests.signatures.conftest import confirm_now, sign

    with app.app_context():
        owner = UserFactory(display_name="Olive Owner")
        details = services.CampaignDetails(
            title=TITLE, summary="Que les plateformes répondent.", language="fr", slug=SLUG
        )
        campaign = services.create_campaign(owner, details)
        section = services.add_section(campaign, owner, "Transparence", ["privacy"])
        services.add_demand(section, owner, "Publier chaque publicité politique.", [], [])
        revisions.publish(campaign, owner, "Premier texte.")
        db.session.flush()
        confirm_now(sign(campaign, "olympe@example.org", name="Olympe", country="FR")[1])
        counting.fold()
        db.session.commit()


@pytest.fixture
def open_context(browser, live_server):
    """A browser context that records every request of its pages."""
    opened = []

    def open_one(locale="en-GB", viewport=None, clipboard=True):
        context = browser.new_context(
            base_url=live_server, locale=locale, viewport=viewport or DESKTOP,
            permissions=["clipboard-read", "clipboard-write"] if clipboard else [],
        )  # fmt: skip
        context.set_default_timeout(15_000)
        context.requests = []
        context.on("request", lambda request: context.requests.append(request.url))
        opened.append(context)
        return context, context.new_page()

    yield open_one
    for context in opened:
        context.close()


def _only_our_origin(context, live_server):
    ours = urlsplit(live_server)
    assert context.requests, "the page made no request at all"
    others = [
        url for url in context.requests
        if (urlsplit(url).scheme, urlsplit(url).netloc) != (ours.scheme, ours.netloc)
    ]  # fmt: skip
    assert others == []


def _from_the_home_page(page):
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name=re.compile("Campa")).first.click()
    page.get_by_role("link", name=TITLE).first.click()
    expect(page).to_have_url(re.compile(rf"/c/{SLUG}$"))


def _share_box(page):
    box = page.locator("section.share")
    expect(box.locator(".share-links")).to_be_visible()
    return box


def _check_links(box, live_server):
    hrefs = {}
    links = box.locator(".share-links a:visible")
    for i in range(links.count()):
        link = links.nth(i)
        hrefs[link.get_attribute("class")] = link.get_attribute("href")
        assert link.get_attribute("rel") == "noopener noreferrer"
    assert {urlsplit(h).netloc for h in hrefs.values()} >= NETWORK_HOSTS
    assert urlsplit(hrefs["share-mastodon"]).netloc == urlsplit(live_server).netloc
    for css, href in hrefs.items():
        network = css.removeprefix("share-")
        if network != "mastodon":
            assert f"source%3Dshare-{network}" in href, href
    return hrefs


def _copy_works(page, box, live_server, confirmation):
    button = box.get_by_role("button", name=re.compile("Copy link|Copier le lien"))
    expect(button).to_be_visible()
    button.click()
    expect(box.locator(".share-copied")).to_have_text(confirmation)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{live_server}/c/{SLUG}?source=share-copy"


def test_the_campaign_page_shares_without_loading_anything_from_another_host(
    open_context, campaign, live_server, artifacts
):
    context, page = open_context("en-GB")
    _from_the_home_page(page)
    box = _share_box(page)
    _check_links(box, live_server)
    _copy_works(page, box, live_server, "Link copied")
    box.scroll_into_view_if_needed()
    box.screenshot(path=str(artifacts / "sharing-en-campaign-share-box.png"))
    page.screenshot(path=str(artifacts / "sharing-en-campaign-page.png"), full_page=True)
    # Every script, style, image and font of the page came from Cahier.
    _only_our_origin(context, live_server)
    assert context.cookies() == []


def test_without_the_clipboard_api_the_address_is_selected_to_copy(
    open_context, campaign, live_server
):
    context, page = open_context("en-GB", clipboard=False)
    page.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    page.goto(f"/c/{SLUG}")
    box = _share_box(page)
    box.get_by_role("button", name="Copy link").click()
    expect(box.locator(".share-copied")).not_to_be_empty()
    field = box.locator("#share-url")
    expect(field).to_be_focused()
    selected = page.evaluate(
        "() => { const f = document.getElementById('share-url');"
        " return f.value.substring(f.selectionStart, f.selectionEnd); }"
    )
    assert selected == f"{live_server}/c/{SLUG}?source=share-copy"
    _only_our_origin(context, live_server)


def test_the_mastodon_instance_is_kept_in_local_storage_only(
    open_context, campaign, live_server, artifacts
):
    context, page = open_context("en-GB")
    instance_requests = []

    def instance_page(route):
        instance_requests.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>instance</title>")

    context.route(f"https://{INSTANCE}/**", instance_page)
    page.goto(f"/c/{SLUG}")
    _share_box(page).locator("a.share-mastodon").click()
    expect(page).to_have_url(re.compile(rf"/c/{SLUG}/share/mastodon$"))
    page.get_by_label("Your Mastodon instance").fill(f"@ada@{INSTANCE}")
    page.screenshot(path=str(artifacts / "sharing-en-mastodon-instance.png"), full_page=True)
    page.get_by_role("button", name="Share").click()
    page.wait_for_url(f"https://{INSTANCE}/share?**")
    shared = parse_qs(urlsplit(instance_requests[0]).query)["text"][0]
    assert shared == f"{TITLE} {live_server}/c/{SLUG}?source=share-mastodon"
    # Our server never saw the instance: the script went straight there.
    ours = [url for url in context.requests if url.startswith(live_server)]
    assert not [url for url in ours if "instance" in url]

    page.goto(f"/c/{SLUG}")
    assert page.evaluate("localStorage.getItem('cahier.mastodon.instance')") == INSTANCE
    link = _share_box(page).locator("a.share-mastodon")
    expect(link).to_have_attribute("href", re.compile(rf"^https://{re.escape(INSTANCE)}/share\?"))
    expect(link).to_contain_text(INSTANCE)
    expect(_share_box(page).locator("a.mastodon-change")).to_be_visible()
    assert context.cookies() == []  # nor in a cookie


def test_after_signing_on_a_phone_in_french_the_links_are_there_and_local(
    open_context, app, campaign, live_server, artifacts
):
    context, page = open_context("fr-FR", viewport=PHONE)
    _from_the_home_page(page)
    page.screenshot(path=str(artifacts / "sharing-fr-390-campaign-page.png"), full_page=True)
    form = page.locator(".sign-form")
    form.locator("input[autocomplete='name']").fill("Louise Michel")
    form.locator("input[type='email']").fill("louise@example.org")
    form.locator("select").first.select_option("FR")
    form.locator("button[type='submit']").click()
    box = _share_box(page)
    expect(page.locator("h1")).not_to_have_text(TITLE)
    _check_links(box, live_server)
    button = box.locator("button[data-share-copy]")
    button.click()
    expect(box.locator(".share-copied")).not_to_be_empty()
    assert page.evaluate("navigator.clipboard.readText()").endswith("?source=share-copy")
    page.screenshot(path=str(artifacts / "sharing-fr-390-after-signing.png"), full_page=True)

    # The page after confirming offers them too.
    token = _confirmation_token(app, "louise@example.org")
    page.goto(f"/s/confirm/{token}")
    page.locator("main form button[type='submit']").click()
    box = _share_box(page)
    _check_links(box, live_server)
    page.screenshot(path=str(artifacts / "sharing-fr-390-confirmed.png"), full_page=True)
    _only_our_origin(context, live_server)
    assert context.cookies() == []


def _confirmation_token(app, email):
    from sqlalchemy import select

    from organizer.extensions import db
    from organizer.signatures.models import Signature
    from organizer.signatures.tokens import new_confirmation_token

    with app.app_context():
        signature = db.session.scalar(select(Signature).where(Signature.email == email))
        token = new_confirmation_token(signature)
        db.session.commit()
    return token


@pytest.fixture
def owner(app, campaign):
    from sqlalchemy import select

    from organizer.campaigns.models import Campaign
    from organizer.extensions import db
    from tests.factories import MembershipFactory, UserFactory

    with app.app_context():
        found = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
        user = UserFactory(email="share-owner@example.org", locale="fr")
        MembershipFactory(campaign=found, user=user, role="owner")
        db.session.commit()
    return "share-owner@example.org"


@pytest.mark.parametrize(("locale", "viewport", "label"),
                         [("fr-FR", DESKTOP, "fr"), ("fr-FR", PHONE, "fr-390")])  # fmt: skip
def test_the_team_prints_from_share_and_print_reached_from_the_dashboard(
    open_context, owner, live_server, artifacts, locale, viewport, label
):
    from tests.factories import PASSWORD

    context, page = open_context(locale, viewport=viewport)
    page.goto("/account/login")
    page.locator("[name=email]").fill(owner)
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto("/organize")
    page.locator(f'main a[href="/organize/{SLUG}"]').click()
    page.locator(f'main a[href="/organize/{SLUG}/share"]').first.click()
    expect(page).to_have_url(re.compile(rf"/organize/{SLUG}/share$"))
    expect(page.locator("img.qr-preview")).to_be_visible()
    # Both images are drawn by Cahier, once loaded (the preview card is 1200 px wide).
    expect(page.locator("img.qr-preview")).to_have_js_property("complete", True)
    assert page.locator("img.qr-preview").evaluate("img => img.naturalWidth") > 0
    expect(page.locator("img.preview-card")).to_have_js_property("naturalWidth", 1200)
    page.screenshot(path=str(artifacts / f"sharing-{label}-share-and-print.png"), full_page=True)
    no_sideways_scroll(page)
    flyer = page.locator(f'a[href="/organize/{SLUG}/share/flyer-fr.pdf"]')
    response = page.request.get(flyer.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    _only_our_origin(context, live_server)
