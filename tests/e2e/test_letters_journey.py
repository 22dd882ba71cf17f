"""On the demo campaign, an organizer previews the routing, writes the letters, builds the
documents of the ICO's letter, sends it by email, and finds it with its PDF in /dev/mail."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from organizer.accounts.models import User
from organizer.accounts.passwords import hash_password
from organizer.demo import DEMO_CAMPAIGN_SLUG, DEMO_ORGANIZER_EMAIL
from organizer.extensions import db
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def _seed_demo(app) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["make-admin", DEMO_ORGANIZER_EMAIL]).exit_code == 0
    with app.app_context():
        # The seeded password is printed once; the test sets a known one.
        user = db.session.scalar(select(User).where(User.email == DEMO_ORGANIZER_EMAIL))
        user.password_hash = hash_password(PASSWORD)
        db.session.commit()


def _open_mail(page, subject_part: str) -> None:
    page.goto("/dev/mail")
    for _ in range(120):
        link = page.get_by_role("link", name=re.compile(re.escape(subject_part)))
        if link.count():
            link.first.click()
            return
        page.wait_for_timeout(250)
        page.reload()
    raise AssertionError(f"no email {subject_part!r} arrived in /dev/mail")


def test_route_write_generate_and_send_a_letter_to_the_ico(
    app, page, shots, committed_db, worker_devmail
):
    _seed_demo(app)
    page.goto("/account/login")
    page.get_by_label("Email").fill(DEMO_ORGANIZER_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # A site admin records the address the ICO publishes for such letters.
    page.goto("/admin/regulators")
    shots(page, "directory")
    page.get_by_role("link", name="Information Commissioner's Office (ICO)").click()
    page.get_by_label("Contact email").fill("casework@ico.example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("casework@ico.example")).to_be_visible()

    page.goto(f"/organize/{DEMO_CAMPAIGN_SLUG}/letters")
    page.get_by_role("link", name="Preview the routing").click()
    table = page.get_by_role("table")
    for body in (
        "Federal Trade Commission (FTC)",
        "Data Protection Commission (DPC)",
        "Commission nationale de l'informatique et des libertés (CNIL)",
        "Information Commissioner's Office (ICO)",
        "Federal Election Commission (FEC)",
    ):
        expect(table.get_by_role("rowheader", name=body)).to_be_visible()
    shots(page, "routing-preview")
    page.get_by_role("button", name=re.compile(r"Write \d+ draft letters")).click()
    expect(page.get_by_text("draft letters written")).to_be_visible()
    shots(page, "letters")

    # Who signs and where the body answers: no letter leaves without them.
    page.get_by_role("link", name="Letter settings").click()
    page.get_by_label("Signed by").fill("Ada Lovelace")
    page.get_by_label("Organization").fill("Users United")
    page.get_by_label("Return postal address").fill("1 Example Street\nLondon N1 9GU")
    page.get_by_label("Return email address").fill("letters@users-united.example")
    page.get_by_role("button", name="Save the letter settings").click()
    expect(page.get_by_text("The letter settings are saved.")).to_be_visible()

    page.get_by_role("link", name="Information Commissioner's Office (ICO)").click()
    letter_text = page.get_by_label("Letter", exact=True)
    expect(letter_text).to_have_value(re.compile("quoted word for word from revision 1"))
    shots(page, "draft-letter")
    page.get_by_role("button", name="Generate the documents").click()
    # The page reloads by itself while the worker builds the PDF letter and the annex.
    send = page.get_by_role("button", name="Send by email to letters-test@cahier.invalid")
    expect(send).to_be_visible(timeout=60_000)
    expect(page.get_by_text("not a production site")).to_be_visible()
    shots(page, "documents-ready")
    send.click()
    expect(page.get_by_text("The letter is in the outbox.")).to_be_visible()
    shots(page, "sent")

    _open_mail(page, "signers in the United Kingdom")
    expect(page.get_by_text("letters-test@cahier.invalid").first).to_be_visible()
    attachments = page.locator("ul.attachments")
    expect(attachments).to_contain_text(re.compile(r"-gb-ico-\d+-letter\.pdf \(application/pdf\)"))
    expect(attachments).to_contain_text("annex.csv (text/csv)")
    expect(page.locator("pre.mail-body")).to_contain_text("Ada Lovelace")
    shots(page, "dev-mailbox")
