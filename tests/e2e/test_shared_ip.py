"""Eight people sign from one street-stall connection: past the per-IP limit each browser
solves the proof-of-work challenge, and every one of them gets a confirmation email."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.services import free_port, web_server

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

SLUG = "stall-petition"
SIGNERS = 8


@pytest.fixture
def stall_server(services, e2e_env, worker_devmail):
    """A server with the production per-IP limit (the suite's default raises it)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **e2e_env,
        "PORT": str(port),
        "BASE_URL": base,
        "SIGN_LIMIT_PER_IP": "5/minute;40/hour",
        # A cheaper puzzle than production's, so the journey stays quick on a busy machine.
        "SIGN_CHALLENGE_COST": "1000",
        "SIGN_CHALLENGE_COUNTER_MIN": "20",
        "SIGN_CHALLENGE_COUNTER_MAX": "100",
    }
    server = web_server(env, services.log_dir, port)
    yield base
    server.stop()


@pytest.fixture
def campaign(app, committed_db):
    from organizer.extensions import db
    from tests.factories import UserFactory
    from tests.signatures.conftest import make_campaign

    with app.app_context():
        make_campaign(UserFactory(), slug=SLUG, title="Bus stop petition")
        db.session.commit()


def _sign(page, shots, number: int) -> bool:
    """Sign as person ``number``; whether a challenge was asked for."""
    page.goto(f"/c/{SLUG}")
    page.get_by_label("Your name").fill(f"Passer-by {number}")
    page.get_by_label("Your email").fill(f"passer{number}@example.org")
    page.get_by_label("Country").select_option("FR")
    page.get_by_role("button", name="Sign", exact=True).click()
    challenged = page.locator("altcha-widget").count() > 0
    if challenged:
        expect(
            page.get_by_text("Many people have just signed from your connection")
        ).to_be_visible()
        expect(page.get_by_label("Your email")).to_have_value(f"passer{number}@example.org")
        expect(page.locator("altcha-widget")).to_contain_text("Verified", timeout=60_000)
        shots(page, f"challenge-solved-{number}")
        page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    return challenged


def test_everyone_at_a_shared_connection_gets_their_email(browser, stall_server, campaign, shots):
    context = browser.new_context(base_url=stall_server, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Security Policy" in m.text else None)
    page.on("pageerror", lambda error: refused.append(str(error)))
    challenged = [_sign(page, shots, n) for n in range(1, SIGNERS + 1)]
    assert challenged == [False] * 5 + [True] * 3
    assert refused == []  # the widget runs under the app's CSP: nothing blocked

    page.goto("/dev/mail")
    inbox = page.locator("table")
    for n in range(1, SIGNERS + 1):
        for _ in range(80):
            if inbox.get_by_text(f"passer{n}@example.org", exact=True).count():
                break
            page.wait_for_timeout(250)
            page.reload()
        expect(inbox.get_by_text(f"passer{n}@example.org", exact=True)).to_have_count(1)
    shots(page, "all-mailed")
    context.close()


def test_the_challenge_in_french_on_a_phone(browser, stall_server, campaign, shots):
    context = browser.new_context(
        base_url=stall_server, locale="fr-FR", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    for n in range(6):
        page.goto(f"/c/{SLUG}")
        page.locator("input[name=name]").fill(f"Passant {n}")
        page.locator("input[name=email]").fill(f"passant{n}@example.org")
        page.locator("select[name=country]").select_option("FR")
        page.locator("form.sign-form button[type=submit]").click()
    expect(page.locator("altcha-widget")).to_be_visible()
    expect(page.locator("altcha-widget")).to_contain_text("Vérifié", timeout=60_000)
    shots(page, "challenge-fr-390")
    context.close()
