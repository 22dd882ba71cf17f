"""The campaign page on a phone: the call to sign is on the first screen and jumps to the
form, counts are singular when there is one, and nothing is loaded from another host."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

SLUG = "one-signer"
PHONE = {"width": 390, "height": 844}
TITLE = "Une seule voix"


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
            title=TITLE, summary="Make platforms answer.", language="fr", slug=SLUG
        )
        campaign = services.create_campaign(owner, details)
        # A text as long as a real one, so that the form starts well below the first screen.
        for letter in "ABC":
            section = services.add_section(campaign, owner, f"Section {letter}", ["privacy"])
            for n in range(4):
                text = f"Demande {letter}{n} : publier chaque publicité politique, avec son prix."
                services.add_demand(section, owner, text, ["elections"], [])
        revisions.publish(campaign, owner, "Premier texte.")
        db.session.flush()
        confirm_now(sign(campaign, "olympe@example.org", name="Olympe", country="FR")[1])
        counting.fold()
        db.session.commit()


@pytest.fixture
def phone(browser, live_server):
    """A 390 px wide phone, in French or English, that records every request it makes."""
    opened = []

    def open_phone(locale):
        context = browser.new_context(base_url=live_server, locale=locale, viewport=PHONE)
        context.set_default_timeout(15_000)
        opened.append(context)
        tab = context.new_page()
        tab.requests = []
        tab.on("request", lambda request: tab.requests.append(request.url))
        return tab

    yield open_phone
    for context in opened:
        context.close()


def _from_the_campaign_list(page):
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name=re.compile("Campa")).first.click()
    page.get_by_role("link", name=TITLE).first.click()
    expect(page).to_have_url(re.compile(rf"/c/{SLUG}$"))


def _only_our_host(page, live_server):
    ours = urlsplit(live_server).netloc
    others = [url for url in page.requests if urlsplit(url).netloc not in (ours, "")]
    assert others == []


def test_the_french_page_says_one_signature_and_the_cta_reaches_the_form(
    phone, campaign, live_server, shots, artifacts
):
    page = phone("fr-FR")
    _from_the_campaign_list(page)
    cta = page.locator("#sign-cta")
    expect(cta).to_be_in_viewport()
    page.screenshot(path=str(artifacts / "campaign_page-fr-390-first-screen.png"))
    shots(page, "fr-390")
    text = page.locator("main").inner_text()
    assert re.search(r"\b1 (signature|signataire)\b", text)
    assert not re.search(r"\b1 (signatures|signataires)\b", text)

    form_field = page.locator(".sign-form input[autocomplete='name']")
    expect(form_field).not_to_be_in_viewport()
    cta.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#sign-heading$"))
    expect(form_field).to_be_in_viewport()
    expect(page.locator("#sign-heading")).to_be_focused()
    page.screenshot(path=str(artifacts / "campaign_page-fr-390-after-cta.png"))
    _only_our_host(page, live_server)


def test_the_english_page_offers_plain_share_links_and_a_copy_button(
    phone, campaign, live_server, shots
):
    page = phone("en-GB")
    _from_the_campaign_list(page)
    expect(page.locator(".sign-cta-count")).to_have_text("1 signature")
    shots(page, "en-390")
    links = page.locator(".share-links a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs[0].startswith("mailto:?subject=")
    hosts = {urlsplit(href).netloc for href in hrefs[1:]}
    assert {"bsky.app", "wa.me", "t.me", "x.com", "www.linkedin.com"} <= hosts
    for i in range(links.count()):
        assert links.nth(i).get_attribute("rel") == "noopener noreferrer"
    copy = page.get_by_role("button", name="Copy link")
    expect(copy).to_be_visible()  # shown by our own static script
    _only_our_host(page, live_server)
