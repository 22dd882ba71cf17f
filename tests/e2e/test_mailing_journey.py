"""The demo organizer writes to the demo's opted-in signers in English and French, previews
and tests the mailing, sends it; a supporter opens it in /dev/mail and unsubscribes with the
visible link; the next mailing leaves them out. The second mailing is written in French on a
390 px wide phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from organizer.extensions import db
from tests.e2e.steps import no_sideways_scroll as _no_sideways_scroll
from tests.factories import PASSWORD
from tests.support.services import celery_beat

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

GROUP = "Facebook Users' Union"
SUBJECT = 'News for you, {{ first_name | "friend" }}'
SUBJECT_FR = 'Des nouvelles pour vous, {{ first_name | "ami·e" }}'
FOLLOW_UP = "La suite : la réponse du régulateur"


@pytest.fixture
def demo(app, committed_db) -> dict[str, int]:
    """What `make run` seeds (organizer, group, campaign, signers), with a known password."""
    from organizer import demo
    from organizer.accounts.passwords import hash_password
    from organizer.supporters.models import Supporter

    with app.app_context():
        account = demo.seed_demo_organizer()
        account.user.password_hash = hash_password(PASSWORD)
        demo.seed_demo_campaign(account.user)
        demo.seed_demo_signatures()
        db.session.commit()
        subscribed = db.session.scalar(
            select(func.count()).select_from(Supporter).where(Supporter.status == "subscribed")
        )
    assert subscribed and subscribed > 20
    return {"subscribed": subscribed}


@pytest.fixture
def beat(services, e2e_env, tmp_path, worker_devmail):
    """The real beat, ticking mailings every half second (start, finish, recipients' status)."""
    env = {**e2e_env, "MAILING_TICK_INTERVAL_SECONDS": "0.5"}
    process = celery_beat(env, services.log_dir, tmp_path / "beat-schedule")
    yield process
    process.stop()


def _log_in(page) -> None:
    page.goto("/account/login")
    page.locator("[name=email]").fill("organizer@example.org")
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _to_mailings(page) -> None:
    page.locator('.account-nav a[href="/organize/groups"]').click()
    page.get_by_role("link", name=GROUP).first.click()
    page.locator('.organizer-nav a[href$="/mailings"]').click()
    expect(page).to_have_url(re.compile(r"/mailings$"))


def _version(page, language: str):
    return page.locator(f'fieldset.mailing-version[lang="{language}"]')


def _compose(page, shots, label: str, subject: str, body: str, language: str) -> None:
    version = _version(page, language)
    version.locator("input[name$=subject]").fill(subject)
    version.locator("textarea[name$=body]").fill(body)
    _no_sideways_scroll(page)
    shots(page, f"{label}-compose")


def _choose_campaign_signers(page, shots, label: str, expected: int) -> None:
    row = page.locator("form.audience-filter").filter(has=page.locator("#value-campaign"))
    row.locator("#value-campaign").select_option(index=0)
    row.locator("button[value=include]").click()
    expect(page.locator("#audience-count")).to_contain_text(f"{expected}")
    _no_sideways_scroll(page)
    shots(page, f"{label}-audience")


def _send_now_and_wait(page, shots, label: str, expected: int) -> None:
    page.locator(".editor-nav a[href$='/send']").click()
    expect(page.locator("#audience-count")).to_contain_text(f"{expected}")
    _no_sideways_scroll(page)
    shots(page, f"{label}-send")
    page.locator("main form.stacked button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    shots(page, f"{label}-sending")
    # The report page is the organizer's way to follow the drain: reload it until it is done.
    for _ in range(240):
        if page.locator("#mailing-status.status-sent").count():
            break
        page.wait_for_timeout(250)
        page.reload()
    expect(page.locator("#mailing-status")).to_have_class(re.compile("status-sent"))
    figures = page.locator("#mailing-report")
    expect(figures.locator("dd").nth(0)).to_have_text(f"{expected}")  # recipients
    expect(figures.locator("dd").nth(1)).to_have_text(f"{expected}")  # sent
    expect(page.locator(".mailing-progress progress")).to_have_attribute("value", f"{expected}")
    _no_sideways_scroll(page)
    shots(page, f"{label}-report")


def _captured(app, subject_start: str) -> list[str]:
    from organizer.mail.models import CapturedEmail

    with app.app_context():
        return list(
            db.session.scalars(
                select(CapturedEmail.to_addr).where(CapturedEmail.subject.startswith(subject_start))
            )
        )


def _open_in_dev_mail(page, subject_start: str, to: str | None = None) -> str:
    """Open the newest message whose subject starts so (and sent to ``to``); its recipient."""
    page.goto("/dev/mail")
    rows = page.locator("table.mailbox tbody tr").filter(has_text=subject_start)
    if to is not None:
        rows = rows.filter(has_text=to)
    for _ in range(60):
        if rows.count():
            break
        page.wait_for_timeout(250)
        page.reload()
    recipient = rows.first.locator("td").first.inner_text()
    rows.first.get_by_role("link").click()
    return recipient


def _first_mailing(page, shots, subscribed: int) -> None:
    _to_mailings(page)
    shots(page, "en-mailings")
    page.get_by_role("button", name="New mailing").click()
    _compose(
        page,
        shots,
        "en",
        SUBJECT,
        'Dear {{ first_name | "friend" }},\n\nThe regulator has **answered** our demands.',
        "en",
    )
    page.get_by_label("Add a version in").select_option("fr")
    page.get_by_role("button", name="Add this language").click()
    expect(page.locator(".flash-success")).to_contain_text("French")
    # Adding a language saved what was typed: one English version, with its text.
    expect(page.locator("fieldset.mailing-version")).to_have_count(2)
    expect(_version(page, "en").locator("input[name$=subject]")).to_have_value(SUBJECT)
    _compose(
        page,
        shots,
        "en-french-version",
        SUBJECT_FR,
        'Bonjour {{ first_name | "ami·e" }},\n\nLe régulateur a **répondu** à nos demandes.',
        "fr",
    )
    page.get_by_role("button", name="Save and choose the audience").click()
    expect(page.locator("#audience-count")).to_be_visible()
    _choose_campaign_signers(page, shots, "en", subscribed)

    page.get_by_role("link", name="Next: preview and test").click()
    html = page.locator("#preview-html")
    text = page.locator("#preview-text")
    expect(page.locator("#preview-subject")).to_have_text("News for you, Demo")
    expect(html).to_contain_text("Dear Demo,")
    expect(html.locator("strong")).to_have_text("answered")
    for part in (html, text):
        expect(part).to_contain_text("Unsubscribe")
        expect(part).to_contain_text("12 Rue des Grèves")
        expect(part).to_contain_text("You receive this")
    expect(html.locator("img")).to_have_count(0)
    _no_sideways_scroll(page)
    shots(page, "en-preview")
    page.locator("nav[aria-label=Versions]").get_by_role("link", name="French").click()
    expect(page.locator("#preview-subject")).to_have_text("Des nouvelles pour vous, Demo")
    expect(html).to_contain_text("Bonjour Demo,")
    expect(html).to_contain_text("12 Rue des Grèves")
    shots(page, "en-preview-french-version")
    page.locator("nav[aria-label=Versions]").get_by_role("link", name="English").click()
    page.get_by_role("button", name="Send a test to me").click()
    expect(page.locator(".flash-success")).to_contain_text("organizer@example.org")
    shots(page, "en-test-sent")
    _open_in_dev_mail(page, "[Test]", to="organizer@example.org")
    expect(page.locator("pre.mail-body")).to_contain_text("Dear Demo,")
    shots(page, "en-test-in-dev-mail")
    page.go_back()
    page.go_back()  # the preview, as a browser's back button would
    _send_now_and_wait(page, shots, "en", subscribed)


def _supporter_unsubscribes(app, phone, shots, live_server: str) -> str:
    from organizer.supporters.models import Supporter

    page = phone.new_page()
    address = _open_in_dev_mail(page, "News for you,")
    with app.app_context():
        name = db.session.scalar(select(Supporter.name).where(Supporter.email == address))
    first = name.split()[0]
    expect(page.locator("h1")).to_have_text(f"News for you, {first}")
    body = page.locator("pre.mail-body")
    expect(body).to_contain_text(f"Dear {first},")
    expect(body).to_contain_text("12 Rue des Grèves")
    _no_sideways_scroll(page)
    shots(page, "phone-supporter-text-part")
    page.get_by_role("link", name="HTML version").click()
    expect(page.get_by_text(f"Dear {first},")).to_be_visible()
    assert page.locator("img").count() == 0, "a mailing carries no pixel"
    hrefs = page.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs, "the visible links are there"
    for href in hrefs:  # links go straight where they say, none through a redirector
        assert href.startswith(live_server + "/"), href
    shots(page, "phone-supporter-html-part")
    page.get_by_role("link", name=re.compile("unsubscribe", re.I)).first.click()
    expect(page.get_by_role("heading", name="Unsubscribe")).to_be_visible()
    _no_sideways_scroll(page)
    shots(page, "phone-supporter-unsubscribe-asks")
    page.locator(".language-switch button[value=fr]").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Se désabonner")).to_be_visible()
    _no_sideways_scroll(page)
    shots(page, "phone-supporter-unsubscribe-asks-fr")
    page.locator("main form button[type=submit]").click()
    # Says what happened, to whom: this group, not Cahier's every group.
    expect(page.locator("h1")).to_contain_text(GROUP)
    _no_sideways_scroll(page)
    shots(page, "phone-supporter-unsubscribed-fr")
    page.close()
    with app.app_context():
        status = db.session.scalar(select(Supporter.status).where(Supporter.email == address))
    assert status == "unsubscribed"
    return address


def _second_mailing_in_french(page, shots, subscribed: int) -> None:
    page.locator(".language-switch button[value=fr]").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    _to_mailings(page)
    first = page.locator("table.data tbody tr").first
    expect(first).to_contain_text("Des nouvelles pour vous, ami·e")
    first.get_by_role("link").click()
    expect(page.locator("h1")).to_have_text("Des nouvelles pour vous, ami·e")
    expect(page.locator("#mailing-report dd").last).to_have_text("1")  # unsubscribed after it
    _no_sideways_scroll(page)
    shots(page, "phone-fr-first-report-one-unsubscribed")
    page.locator('.organizer-nav a[href$="/mailings"]').click()
    page.get_by_role("button", name="Nouvel envoi").click()
    _compose(page, shots, "phone-fr", FOLLOW_UP, "Le régulateur nous a répondu.", "fr")
    page.locator("main form button[name=next][value=audience]").click()
    _choose_campaign_signers(page, shots, "phone-fr", subscribed - 1)
    page.locator(".editor-nav a[href$='/preview']").click()
    expect(page.locator("#preview-subject")).to_have_text(FOLLOW_UP)
    _no_sideways_scroll(page)
    shots(page, "phone-fr-preview")
    _send_now_and_wait(page, shots, "phone-fr", subscribed - 1)


def test_compose_preview_test_send_unsubscribe_and_the_next_mailing_skips_them(
    app, browser, live_server, shots, demo, beat
):
    subscribed = demo["subscribed"]
    desktop = browser.new_context(base_url=live_server, locale="en-GB")
    try:
        page = desktop.new_page()
        _log_in(page)
        _first_mailing(page, shots, subscribed)
    finally:
        desktop.close()
    assert len(_captured(app, "News for you,")) == subscribed

    phone = browser.new_context(
        base_url=live_server, locale="en-GB", viewport={"width": 390, "height": 844}
    )
    try:
        unsubscribed = _supporter_unsubscribes(app, phone, shots, live_server)
        page = phone.new_page()
        _log_in(page)
        _second_mailing_in_french(page, shots, subscribed)
    finally:
        phone.close()
    got_it = _captured(app, FOLLOW_UP)
    assert unsubscribed not in got_it
    assert len(got_it) == len(set(got_it)) == subscribed - 1
