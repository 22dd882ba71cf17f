"""A coalition, walked in Chromium from the dashboards: the campaign's owner invites two
groups from the campaign dashboard, their owners accept on their own group dashboards, one
sets its site and logo; a visitor signs through the partner's link, ticks its line and
confirms through /dev/mail; the campaign page splits the count between the partners, and
the partner finds the signer in its own supporter list. In English, in French and on a
390 px wide phone."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.e2e.steps import no_sideways_scroll as _no_sideways_scroll
from tests.factories import PASSWORD
from tests.support.services import celery_beat

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

SLUG = "coalition-air"


@pytest.fixture
def campaign(app, committed_db):
    from organizer.extensions import db
    from tests.factories import GroupFactory, UserFactory
    from tests.signatures.conftest import make_campaign

    with app.app_context():
        owner = UserFactory(email="olive@example.org", display_name="Olive Owner")
        campaign = make_campaign(owner, slug=SLUG, goal=100, title="Clean air for every school")
        campaign.group.name = "Parents for Air"
        for slug, name, email in (("alpha", "Alpha Collective", "alice@example.org"),
                                  ("beta", "Beta Union", "bob@example.org")):  # fmt: skip
            GroupFactory(slug=slug, name=name, owner=UserFactory(email=email, display_name=name))
        db.session.commit()


@pytest.fixture
def beat(services, e2e_env, tmp_path, worker_devmail):
    env = {**e2e_env, "SIGNATURE_COUNT_INTERVAL_SECONDS": "0.5"}
    process = celery_beat(env, services.log_dir, tmp_path / "beat-schedule")
    yield process
    process.stop()


def _log_in(page, email):
    page.goto("/account/login")
    page.locator("[name=email]").fill(email)
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _logo(tmp_path):
    image = Image.new("RGB", (600, 200), (20, 90, 60))
    ImageDraw.Draw(image).ellipse((20, 20, 180, 180), fill=(240, 200, 40))
    path = tmp_path / "alpha-logo.png"
    out = io.BytesIO()
    image.save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def _invite(page, shots, slugs):
    _log_in(page, "olive@example.org")
    page.goto("/organize")
    page.get_by_role("link", name="Clean air for every school").first.click()
    page.locator(f'.organizer-nav a[href="/organize/{SLUG}/partners"]').click()
    expect(page.locator("h1")).to_contain_text("Partners of")
    for slug in slugs:
        page.locator("[name=slug]").fill(slug)
        page.locator("main form.stacked button[type=submit]").click()
        expect(page.locator(".flash-success")).to_contain_text("is invited")
    shots(page, "en-campaign-partners-invited")


def _accept(page, shots, email, group, label):
    _log_in(page, email)
    page.locator('.account-nav a[href="/organize/groups"]').click()
    page.locator(f'main a[href="/organize/groups/{group}"]').first.click()
    invitation = page.locator(".partner-invitations")
    expect(invitation).to_contain_text("Clean air for every school")
    if label:
        shots(page, f"{label}-group-dashboard-invitation")
    invitation.get_by_role("button", name="Accept").click()
    expect(page.locator(".flash-success")).to_contain_text("is now a partner")


def _cell_becomes(page, partner, expected):
    """The count is exact within seconds, and each process keeps the partners' shares for
    REVISION_COUNTS_CACHE_SECONDS (15): reload until the cell shows ``expected``."""
    cell = page.locator(f'[data-partner="{partner}"]')
    for _ in range(100):
        page.goto(f"/c/{SLUG}")
        if cell.count() and cell.inner_text() == expected:
            return
        page.wait_for_timeout(250)
    expect(cell).to_have_text(expected)


def _mail_link(page, subject, path):
    page.goto("/dev/mail")
    for _ in range(80):
        link = page.get_by_role("link", name=subject)
        if link.count():
            link.first.click()
            body = page.locator("pre").first.inner_text()
            return re.search(rf"https?://\S+({re.escape(path)}\S+)", body).group(1)
        page.wait_for_timeout(250)
        page.reload()
    raise AssertionError(f"no email {subject!r} arrived in /dev/mail")


def test_a_coalition_from_the_dashboards_to_the_partners_supporter_list(
    app, browser, live_server, shots, campaign, beat, tmp_path
):
    contexts = []

    def context(**options):
        made = browser.new_context(base_url=live_server, **{"locale": "en-GB", **options})
        made.set_default_timeout(15_000)
        contexts.append(made)
        return made.new_page()

    try:
        _invite(context(), shots, ["alpha", "beta"])
        alice = context()
        _accept(alice, shots, "alice@example.org", "alpha", "en")
        expect(alice.locator("h1")).to_contain_text("Partnerships of Alpha Collective")
        alice.locator("[name=origin]").fill("https://alpha.example.org")
        alice.get_by_role("button", name="Save the site").click()
        expect(alice.locator(".flash-success")).to_contain_text("Your site is saved")
        alice.locator("[name=logo]").set_input_files(str(_logo(tmp_path)))
        alice.get_by_role("button", name="Upload the logo").click()
        expect(alice.locator(".flash-success")).to_contain_text("The logo is saved")
        expect(alice.locator("code.snippet")).to_contain_text('data-source="partner-alpha"')
        shots(alice, "en-partnerships")
        _accept(context(), shots, "bob@example.org", "beta", "")

        visitor = context()
        visitor.goto(f"/c/{SLUG}?source=partner-alpha")
        coalition = visitor.locator("#coalition")
        expect(coalition).to_contain_text("Alpha Collective")
        expect(coalition).to_contain_text("Beta Union")
        expect(coalition.locator("img")).to_have_count(1)
        line = visitor.get_by_label("Keep me informed by Alpha Collective.")
        expect(line).not_to_be_checked()
        expect(visitor.get_by_label("Keep me informed by Beta Union.")).not_to_be_checked()
        visitor.get_by_label("Your name").fill("Olympe de Gouges")
        visitor.get_by_label("Your email").fill("olympe@example.org")
        visitor.get_by_label("Country").select_option("FR")
        line.check()
        visitor.locator("#sign").scroll_into_view_if_needed()
        shots(visitor, "en-sign-with-partner-line")
        visitor.get_by_role("button", name="Sign", exact=True).click()
        expect(visitor.get_by_role("heading", name="Check your email")).to_be_visible()
        confirm = _mail_link(visitor, "Confirm your signature: Clean air for every school",
                             "/s/confirm/")  # fmt: skip
        visitor.goto(confirm)
        visitor.get_by_role("button", name="Confirm my signature").click()
        expect(
            visitor.get_by_role("heading", name="Thank you, your signature is confirmed")
        ).to_be_visible()
        _cell_becomes(visitor, "total", "1")
        alpha_id = visitor.locator(".coalition-breakdown tbody tr").first
        _cell_becomes(visitor, alpha_id.locator("td").get_attribute("data-partner"), "1")
        rows = visitor.locator(".coalition-breakdown tbody tr")
        expect(rows.filter(has_text="Alpha Collective")).to_contain_text("1")
        expect(rows.filter(has_text="Beta Union")).to_contain_text("0")
        expect(rows.filter(has_text="Everyone else")).to_contain_text("0")
        shots(visitor, "en-campaign-page-breakdown")

        alice.reload()
        numbers = alice.locator(".partner-numbers")
        expect(numbers).to_contain_text("1 confirmed signature with your code")
        expect(numbers).to_contain_text("1 confirmed signer asked you to keep them informed")
        alice.get_by_role("link", name="See them in your supporter list").click()
        expect(alice.locator("main")).to_contain_text("olympe@example.org")
        shots(alice, "en-partner-supporter-list")

        alice.goto("/organize/groups/alpha/partnerships")
        alice.locator(".language-switch button[value=fr]").click()
        alice.wait_for_load_state()
        expect(alice.locator("html")).to_have_attribute("lang", "fr")
        shots(alice, "fr-partnerships")
        french = context(locale="fr-FR")
        french.goto(f"/c/{SLUG}")
        expect(french.locator("#coalition")).to_be_visible()
        shots(french, "fr-campaign-page-breakdown")

        phone = context(viewport={"width": 390, "height": 844})
        phone.goto(f"/c/{SLUG}")
        expect(phone.locator("#coalition")).to_be_visible()
        _no_sideways_scroll(phone)
        shots(phone, "phone-campaign-page")
        _log_in(phone, "alice@example.org")
        phone.locator('.account-nav a[href="/organize/groups"]').click()
        phone.locator('main a[href="/organize/groups/alpha"]').first.click()
        phone.locator('.organizer-nav a[href="/organize/groups/alpha/partnerships"]').click()
        expect(phone.locator(".partner-numbers")).to_be_visible()
        _no_sideways_scroll(phone)
        shots(phone, "phone-partnerships")
    finally:
        for made in contexts:
            made.close()
