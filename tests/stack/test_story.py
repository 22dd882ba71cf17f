"""The whole story on the production-shaped stack, in Chromium, with mail read from a real
SMTP server: an organizer publishes the 2018 text, three supporters sign and confirm, a host
registers a screening that two guests attend, the reminders fire when the clock is moved, a
milestone sends a letter with its PDF to a regulator, and a supporter withdraws.

Privacy in the browser (issue 8, item 7) is checked on the same run: no request of any page
of the story leaves for another host, and an anonymous reader receives no cookie.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from organizer.db import utcnow
from organizer.events.models import Event
from organizer.extensions import db
from tests.e2e.conftest import Shots
from tests.stack.story_support import RequestLog, Stack, StepTimer, link, mail, story_env
from tests.support.services import free_port, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

TEMPLATE = (
    Path(__file__).resolve().parents[2]
    / "organizer/campaigns/templates_data/strike-2018-demands.json"
)
ORGANIZER = "camille@example.org"
HOST = "hana@example.org"
SUPPORTERS = [("Ada Lovelace", "ada@example.org"), ("Ben Jonson", "ben@example.org"),
              ("Cleo Laine", "cleo@example.org")]  # fmt: skip
GUESTS = [("Dora", "dora@example.org"), ("Emil", "emil@example.org")]
PASSWORD = "declaration of rights 1791"
ICO_EMAIL = "casework@ico.example"
SCREENING = "Film night at Marie's"


@pytest.fixture
def stack(app, services, committed_db, tmp_path) -> Any:
    port = free_port()
    env = story_env(services, port, SIGN_LIMIT_PER_IP="100/minute",
                    EVENT_RSVP_LIMIT_PER_IP="100/minute")  # fmt: skip
    running = Stack(env, services.log_dir, tmp_path)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture
def story(browser, stack, artifacts) -> Any:
    """New browser contexts, each watched by the request log, all closed at the end."""
    log = RequestLog(stack.base_url.removeprefix("http://"))
    contexts: list[Any] = []

    def new_page(anonymous: bool = False) -> Any:
        context = browser.new_context(base_url=stack.base_url, locale="en-GB")
        context.set_default_timeout(15_000)
        contexts.append(log.watch(context, anonymous))
        return context.new_page()

    try:
        yield new_page, log, Shots(artifacts, "story")
    finally:
        for context in contexts:
            context.close()


def _register(page, smtp, name: str, email: str, shots: Shots | None = None) -> None:
    """Create an account, verify it through the email, and log in."""
    page.goto("/")
    page.get_by_role("link", name="Create an account").first.click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(link(mail(smtp, email, "Verify your email address"), "/account/verify/"))
    page.get_by_role("button", name="Verify my address").click()
    expect(page.get_by_text("Your email address is verified. You can log in.")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Welcome back, {name}.")).to_be_visible()
    if shots:
        shots(page, "organizer-registered")


def _count_becomes(page, slug: str, expected: str) -> None:
    """The public count is exact within seconds: reload until it shows ``expected``."""
    tally = page.locator(".tally-count strong").first
    for _ in range(60):
        page.goto(f"/c/{slug}")
        if tally.inner_text() == expected:
            return
        page.wait_for_timeout(250)
    expect(tally).to_have_text(expected)


def _publish_the_2018_text(page, shots: Shots) -> str:
    page.goto("/organize/new")
    page.get_by_label("Title", exact=True).fill("Users' strike: our terms")
    page.get_by_label("Summary", exact=True).fill("What Facebook users asked in 2018.")
    page.get_by_label("Signature goal").fill("100")
    page.get_by_role("button", name="Create the campaign").click()
    expect(page.get_by_text("Your campaign is created.")).to_be_visible()
    # A new campaign opens in its text editor, /organize/<slug>/text.
    slug = page.url.split("/organize/", 1)[1].split("/", 1)[0]
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("Grievance list file (JSON)").set_input_files(str(TEMPLATE))
    page.get_by_label("Replace the current draft text").check()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("The file is imported into the draft.")).to_be_visible()
    shots(page, "template-imported")
    page.get_by_role("link", name="Review and publish revision 1").click()
    page.get_by_label("What changed").fill("The demands of the 2018 users' strike.")
    page.get_by_role("button", name="Publish revision 1").click()
    expect(page.get_by_text("Revision 1 is published.")).to_be_visible()
    shots(page, "campaign-published")
    return slug


def _sign_and_confirm(page, smtp, slug: str, name: str, email: str, shots: Shots) -> None:
    page.goto(f"/c/{slug}")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your email").fill(email)
    page.get_by_label("Country").select_option("GB")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(link(mail(smtp, email, "Confirm your signature"), "/s/confirm/"))
    page.get_by_role("button", name="Confirm my signature").click()
    expect(
        page.get_by_role("heading", name="Thank you, your signature is confirmed")
    ).to_be_visible()
    shots(page, f"signed-{email.split('@')[0]}")


def _register_screening(page, slug: str, shots: Shots) -> str:
    page.goto(f"/c/{slug}")
    page.get_by_role("link", name="Host a screening").first.click()
    day = (utcnow() + timedelta(days=12)).date().isoformat()
    for label, value in (("Title", SCREENING), ("Date", day), ("Starts at", "19:00"),
                         ("Ends on", day), ("Ends at", "21:30"), ("Venue", "Chez Marie"),
                         ("Street address", "3 rue Cachée"), ("City", "Nantes"),
                         ("Capacity", "10")):  # fmt: skip
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Country", exact=True).select_option("FR")
    page.get_by_label("I accept the screening terms above.").check()
    shots(page, "host-form")
    page.get_by_role("button", name="Register the screening").click()
    expect(page.get_by_text("The organizers will review it.")).to_be_visible()
    return str(page.get_by_role("link", name="Public page").get_attribute("href"))


def _rsvp_and_confirm(page, smtp, event_url: str, name: str, email: str) -> None:
    page.goto(event_url)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("How many people, you included").fill("1")
    page.get_by_role("button", name="RSVP").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(link(mail(smtp, email, "Confirm your RSVP"), "/events/rsvp/confirm/"))
    page.get_by_role("button", name="Confirm my RSVP").click()
    expect(page.get_by_text(f"You are going, {name}")).to_be_visible()


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(content)).pages)


def _letter_to_the_ico(smtp, recipient: str) -> Any:
    def arrived() -> Any:
        return next(
            (m for m in smtp.messages_to(recipient)
             if m["X-Cahier-Intended-Recipient"] == ICO_EMAIL), None,
        )  # fmt: skip

    return wait_for(arrived, 90, 0.2, "the ICO's letter at the SMTP server")


def test_the_whole_story_in_chromium(app, services, stack, story):
    new_page, requests, shots = story
    smtp = services.smtp
    timer = StepTimer()

    timer.step("organizer")
    # 1. An organizer registers, creates a campaign from the 2018 template and publishes it.
    organizer = new_page()
    _register(organizer, smtp, "Camille", ORGANIZER, shots)
    slug = _publish_the_2018_text(organizer, shots)

    timer.step("supporters")
    # 2. Three supporters sign and confirm through the emails read from the SMTP server.
    supporters = [new_page(anonymous=True) for _ in SUPPORTERS]
    for page, (name, email) in zip(supporters, SUPPORTERS, strict=True):
        _sign_and_confirm(page, smtp, slug, name, email, shots)
    _count_becomes(supporters[0], slug, "3")
    shots(supporters[0], "three-signatures")

    timer.step("screening")
    # 3. A host registers a screening, the organizer approves it, two guests RSVP.
    host = new_page()
    _register(host, smtp, "Hana", HOST)
    event_url = _register_screening(host, slug, shots)
    organizer.goto(f"/organize/{slug}/events")
    shots(organizer, "screening-to-approve")
    organizer.get_by_role("button", name="Approve").click()
    expect(organizer.get_by_text("The screening is approved.")).to_be_visible()
    mail(smtp, HOST, "is approved")
    guests = [new_page(anonymous=True) for _ in GUESTS]
    for page, (name, email) in zip(guests, GUESTS, strict=True):
        _rsvp_and_confirm(page, smtp, event_url, name, email)
    shots(guests[-1], "guest-going")
    host.reload()
    expect(host.get_by_role("cell", name=GUESTS[1][1])).to_be_visible()
    shots(host, "host-guest-list")

    timer.step("reminders")
    # 4. The reminder job fires once the clock is moved to three hours before the screening.
    assert not [m for _, e in GUESTS for m in smtp.messages_to(e) if "Tomorrow" in m["Subject"]]
    with app.app_context():
        starts_at = db.session.scalar(select(Event.starts_at))
    offset = starts_at - utcnow() - timedelta(hours=3)
    stack.restart_worker(CLOCK_OFFSET_SECONDS=str(int(offset.total_seconds())))
    for page, (_name, email) in zip(guests, GUESTS, strict=True):
        reminder = mail(smtp, email, f"Tomorrow: “{SCREENING}”")
        page.goto(link(reminder, "/events/rsvp/"))
        expect(page.get_by_text("You are going")).to_be_visible()
    shots(guests[0], "reminded-guest")

    timer.step("letter")
    # 5. A milestone at three signatures sends a letter, with its PDF, to the ICO.
    runner = app.test_cli_runner()
    for args in (["make-admin", ORGANIZER], ["import-regulators"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    organizer.goto("/admin/regulators")
    organizer.get_by_role("link", name="Information Commissioner's Office (ICO)").click()
    organizer.get_by_label("Contact email").fill(ICO_EMAIL)
    organizer.get_by_role("button", name="Save").click()
    expect(organizer.get_by_text(ICO_EMAIL)).to_be_visible()
    organizer.goto(f"/organize/{slug}/letters")
    # Who signs and where the ICO answers: no letter leaves without them.
    organizer.get_by_role("link", name="Letter settings").click()
    organizer.get_by_label("Signed by").fill("Ada Lovelace")
    organizer.get_by_label("Organization").fill("Users United")
    organizer.get_by_label("Return postal address").fill("1 Example Street\nLondon N1 9GU")
    organizer.get_by_label("Return email address").fill("letters@users-united.example")
    organizer.get_by_role("button", name="Save the letter settings").click()
    expect(organizer.get_by_text("The letter settings are saved.")).to_be_visible()
    organizer.get_by_label("Confirmed signatures").fill("3")
    organizer.get_by_role("button", name="Set the trigger").click()
    expect(organizer.get_by_text("The trigger is set.")).to_be_visible()
    shots(organizer, "milestone-trigger-set")
    letter = _letter_to_the_ico(smtp, app.config["LETTERS_TEST_RECIPIENT"])
    attached = {p.get_filename(): p for p in letter.iter_attachments()}
    pdfs = [p for name, p in attached.items() if name.endswith("-letter.pdf")]
    assert len(pdfs) == 1 and pdfs[0].get_content_type() == "application/pdf", list(attached)
    demand = json.loads(TEMPLATE.read_text())["sections"][1]["demands"][0]["text"]
    assert " ".join(demand.split()[:6]) in " ".join(_pdf_text(pdfs[0].get_content()).split())
    organizer.reload()
    expect(organizer.get_by_text("fired on")).to_be_visible()
    shots(organizer, "milestone-letter-sent")

    timer.step("withdrawal")
    # 6. A supporter withdraws through the manage link of their email; the count goes down.
    withdrawing = supporters[1]
    confirmation = mail(smtp, SUPPORTERS[1][1], "Confirm your signature")
    withdrawing.goto(link(confirmation, "/s/manage/"))
    withdrawing.get_by_role("button", name="Withdraw my signature").click()
    expect(withdrawing.get_by_text("Your signature is withdrawn.")).to_be_visible()
    _count_becomes(withdrawing, slug, "2")
    shots(withdrawing, "withdrawn-count-down")

    timer.step("privacy")
    # 7. Privacy in the browser: an anonymous reader gets no cookie; nothing left the app.
    reader = new_page(anonymous=True)
    for path in (f"/c/{slug}", event_url):
        response = reader.goto(path)
        assert response is not None and response.status == 200
    shots(reader, "anonymous-reader")
    assert reader.context.cookies() == []
    assert requests.cookies_set() == []
    assert len(requests.urls) > 50, "the request log saw the story"
    assert requests.elsewhere() == []
    # Beat ran the periodic jobs every second all along: each email went out once.
    for _, email in GUESTS:
        subjects = [str(m["Subject"]) for m in smtp.messages_to(email)]
        assert sum(s.startswith("Tomorrow:") for s in subjects) == 1, subjects
        assert not any(s.startswith("In two hours:") for s in subjects), subjects
    ids = Counter(m.message_id for m in smtp.received)
    assert [i for i, n in ids.items() if n > 1] == []
    timer.report(requests=len(requests.urls), emails=len(ids))
