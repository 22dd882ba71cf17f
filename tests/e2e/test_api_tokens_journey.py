"""A group's owner goes from "Your campaigns" to the group's API page, makes a token for a
data tool, sees it once, finds that it reads the group's people, revokes it and is told it
no longer works, which it does not. In English, in French and on a 390 px wide phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from organizer.extensions import db
from tests.e2e.steps import log_in, no_sideways_scroll, within_the_width
from tests.factories import SupporterFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

GROUPS = {"en": "Data Collective", "fr": "Collectif des données", "phone": "Night Data"}


def _seed(app) -> dict[str, str]:
    from organizer.groups.services import create_group

    with app.app_context():
        owner = UserFactory(email="tina@example.org", display_name="Tina Tokens")
        slugs = {}
        for label, name in GROUPS.items():
            group = create_group(owner, name)
            SupporterFactory(group_id=group.id)
            slugs[label] = group.slug
        db.session.commit()
    return slugs


def _people(page, token: str) -> int:
    return page.request.get("/api/v2/people", headers={"OSDI-API-Token": token}).status


def _walk(page, shots, label: str, slug: str, texts: dict[str, str]) -> None:
    page.locator('.account-nav a[href="/organize/groups"]').click()
    page.get_by_role("link", name=GROUPS[label]).first.click()
    page.locator(f'.organizer-nav a[href="/organize/groups/{slug}/api"]').click()
    expect(page).to_have_url(re.compile(rf"/organize/groups/{slug}/api$"))
    shots(page, f"{label}-api-page")
    page.locator("[name=label]").fill("Parsons")
    page.locator("main form.stacked button[type=submit]").click()
    expect(page.locator("#created-heading")).to_contain_text("Parsons")
    token = page.locator("#new-token").input_value()
    assert token.startswith("cah_")
    no_sideways_scroll(page)
    shots(page, f"{label}-token-shown-once")
    assert _people(page, token) == 200
    revoke = page.get_by_role("button", name=re.compile("Parsons"))
    within_the_width(page, revoke)
    revoke.click()
    expect(page.locator("main")).to_contain_text(texts["revoked"])
    expect(page.locator("#new-token")).to_have_count(0)  # shown once, not again
    no_sideways_scroll(page)
    shots(page, f"{label}-revoked")
    assert _people(page, token) == 401


ENGLISH = {"revoked": "within a second, it no longer works anywhere"}
FRENCH = {"revoked": "une seconde, il ne fonctionnera plus nulle part"}


def test_an_owner_makes_a_token_for_a_tool_and_revokes_it(
    app, browser, live_server, shots, committed_db
):
    slugs = _seed(app)
    for label, language, viewport, texts in (
        ("en", "en", {"width": 1280, "height": 900}, ENGLISH),
        ("fr", "fr", {"width": 1280, "height": 900}, FRENCH),
        ("phone", "en", {"width": 390, "height": 844}, ENGLISH),
    ):
        locale = "fr-FR" if language == "fr" else "en-GB"
        context = browser.new_context(base_url=live_server, locale=locale, viewport=viewport)
        context.set_default_timeout(15_000)
        try:
            page = context.new_page()
            log_in(page, "tina@example.org")
            # The account keeps the language last chosen: each run chooses its own.
            if page.locator("html").get_attribute("lang") != language:
                page.locator(f".language-switch button[value={language}]").click()
                page.wait_for_load_state()
            expect(page.locator("html")).to_have_attribute("lang", language)
            _walk(page, shots, label, slugs[label], texts)
        finally:
            context.close()
