"""A visitor signs, confirms through /dev/mail, sees the count go up, then withdraws."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.services import celery_beat

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

SLUG = "journey-strike"


@pytest.fixture
def campaign(app, committed_db):
    from organizer.extensions import db
    from tests.factories import UserFactory
    from tests.signatures.conftest import make_campaign

    with app.app_context():
        make_campaign(
            UserFactory(display_name="Olive Owner"), slug=SLUG, goal=10, title="Users' strike"
        )
        db.session.commit()


@pytest.fixture
def beat(services, e2e_env, tmp_path, worker_devmail):
    """The real beat, folding the count every half second into what the page shows."""
    env = {**e2e_env, "SIGNATURE_COUNT_INTERVAL_SECONDS": "0.5"}
    process = celery_beat(env, services.log_dir, tmp_path / "beat-schedule")
    yield process
    process.stop()


def _mail_link(page, subject: str, path: str) -> str:
    """The link to ``path`` in the newest message with ``subject``, once delivered."""
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


def _count_becomes(page, expected: str) -> None:
    """The public count is exact within seconds: reload until it shows ``expected``."""
    tally = page.locator(".tally-count strong").first
    for _ in range(60):
        page.goto(f"/c/{SLUG}")
        if tally.inner_text() == expected:
            return
        page.wait_for_timeout(250)
    expect(tally).to_have_text(expected)


def test_sign_confirm_count_up_then_withdraw_count_down(page, shots, campaign, beat):
    page.goto(f"/c/{SLUG}")
    expect(page.get_by_role("heading", name="Sign this cahier")).to_be_visible()
    _count_becomes(page, "0")
    shots(page, "campaign-page")

    page.get_by_label("Your name").fill("Olympe de Gouges")
    page.get_by_label("Your email").fill("olympe@example.org")
    page.get_by_label("Country").select_option("FR")
    page.get_by_label("Show my name on the public list of signers.").check()
    # Being named to regulators is a consent of its own, asked apart and never pre-ticked.
    naming = page.get_by_label("Include my name in letters to the authorities.")
    expect(naming).to_be_visible()
    expect(naming).not_to_be_checked()
    shots(page, "sign-form")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    shots(page, "check-your-email")

    confirm_path = _mail_link(page, "Confirm your signature: Users' strike", "/s/confirm/")
    shots(page, "dev-mailbox-confirmation")
    page.goto(confirm_path)
    expect(page.get_by_role("button", name="Confirm my signature")).to_be_visible()
    shots(page, "confirm-page")
    _count_becomes(page, "0")  # opening the link confirmed nothing
    page.goto(confirm_path)
    page.get_by_role("button", name="Confirm my signature").click()
    expect(
        page.get_by_role("heading", name="Thank you, your signature is confirmed")
    ).to_be_visible()
    shots(page, "confirmed-and-share")
    page.goto(confirm_path)  # a second click on the same link
    expect(page.get_by_role("heading", name="Your signature is already confirmed")).to_be_visible()

    _count_becomes(page, "1")
    expect(page.locator("progress").first).to_have_attribute("value", "10")
    shots(page, "count-went-up")
    page.get_by_role("link", name="See the names of the signers").click()
    expect(page.get_by_text("Olympe de Gouges")).to_be_visible()

    manage_path = _mail_link(page, "Confirm your signature: Users' strike", "/s/manage/")
    page.goto(manage_path)
    # Once for the signature, once among what the campaign's group holds.
    expect(page.get_by_text("olympe@example.org")).to_have_count(2)
    expect(page.get_by_text("olympe@example.org").first).to_be_visible()
    shots(page, "manage-my-signature")
    page.get_by_role("button", name="Withdraw my signature").click()
    expect(page.get_by_text("Your signature is withdrawn. It no longer counts.")).to_be_visible()
    shots(page, "withdrawn")

    _count_becomes(page, "0")
    shots(page, "count-went-down")
