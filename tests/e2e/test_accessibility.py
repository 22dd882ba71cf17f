"""axe-core on the public pages a supporter goes through, in English and in French.

Each scenario is one of the pages the issue names (home, campaign, sign, event, RSVP); the
sign and RSVP scenarios also check the pages that follow (check your email, the confirmation
page reached from the emailed link, and what the visitor sees once confirmed). Serious and
critical violations fail the test; every violation is printed so that a failure says what to fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from organizer import demo
from organizer.events.models import Event
from organizer.extensions import db
from organizer.mail.models import OutboundEmail

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

BLOCKING = {"serious", "critical"}
LOCALES = {"en": "en-GB", "fr": "fr-FR"}
AXE = Axe()
# What sticks out of the screen, unless a scrolling box holds it (an absolutely positioned
# element escapes a scrolling box that is not its containing block).
WIDEST = """() => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.getBoundingClientRect().right <= innerWidth + 1) continue;
    const loose = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
    let p = el.parentElement, held = false;
    while (!loose && p && p !== document.body) {
      if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) { held = true; break; }
      if (out.includes(p)) { held = true; break; }
      p = p.parentElement;
    }
    if (!held) out.push(el);
  }
  const names = out.map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  return [...new Set(names)];
}"""


@dataclass
class Seeded:
    slug: str
    organizer: str
    password: str
    open_event: int
    full_event: int


@dataclass
class Audit:
    """Runs axe on each page visited, keeps a screenshot, and collects the violations."""

    page: Any
    shots: Callable[[Any, str], Any]
    lang: str
    found: list[str] = field(default_factory=list)

    def check(self, step: str) -> None:
        assert self.page.locator("html").get_attribute("lang") == self.lang
        self.shots(self.page, step)
        results = AXE.run(self.page).response
        assert results["passes"], "axe checked nothing: is the page empty?"
        for rule in results["violations"]:
            nodes = "\n".join(
                f"      {' '.join(n['target'])}: {n.get('failureSummary', '')}"
                for n in rule["nodes"]
            )
            line = f"[{rule['impact']}] {rule['id']} on {step}: {rule['help']}\n{nodes}"
            print(line)
            if rule["impact"] in BLOCKING:
                self.found.append(line)
        self._reflows(step)

    def _reflows(self, step: str) -> None:
        """At 320 CSS pixels the page scrolls only vertically (WCAG 1.4.10); wide tables may
        scroll inside their own box."""
        self.page.wait_for_load_state("load")  # styled, as a browser paints it
        size = self.page.viewport_size
        self.page.set_viewport_size({"width": 320, "height": 640})
        width = self.page.evaluate("document.documentElement.scrollWidth")
        culprits = self.page.evaluate(WIDEST)
        self.page.set_viewport_size(size)
        if width > 320:
            self.found.append(f"[reflow] {step}: {width}px wide on a 320px screen: {culprits}")


@pytest.fixture
def seeded(app, committed_db) -> Seeded:
    """The demo data: the 2018 campaign with its signatures, screenings and regulators."""
    with app.app_context():
        account = demo.seed_demo_organizer()
        campaign = demo.seed_demo_campaign(account.user)
        assert campaign is not None and account.password
        demo.seed_demo_screenings(account.user)
        demo.seed_demo_signatures()
        demo.seed_demo_regulators()
        events = {e.uid: e.id for e in db.session.scalars(select(Event))}
        db.session.commit()
        return Seeded(
            campaign.slug, account.user.email, account.password,
            events["demo-online-screening"], events["demo-full-screening"],
        )  # fmt: skip


@pytest.fixture
def audit(browser, live_server, shots, request) -> Iterator[Audit]:
    lang = request.node.callspec.params["lang"]
    context = browser.new_context(base_url=live_server, locale=LOCALES[lang])
    context.add_cookies([{"name": "cahier_lang", "value": lang, "url": live_server}])
    context.set_default_timeout(15_000)
    yield Audit(context.new_page(), shots, lang)
    context.close()


def _emailed_path(app, to: str, path: str) -> str:
    """The link to ``path`` in the newest email to ``to`` (the outbox row, written on commit)."""
    with app.app_context():
        body = db.session.scalar(
            select(OutboundEmail.text_body)
            .where(OutboundEmail.to_addr == to)
            .order_by(OutboundEmail.id.desc())
        )
        db.session.remove()
    assert body, f"no email to {to}"
    return re.search(rf"https?://\S+?({re.escape(path)}\S+)", body).group(1)


def _home(audit: Audit, seeded: Seeded, app) -> None:
    audit.page.goto("/")
    audit.check("home")


def _campaign(audit: Audit, seeded: Seeded, app) -> None:
    audit.page.goto(f"/c/{seeded.slug}")
    audit.check("campaign")


def _sign(audit: Audit, seeded: Seeded, app) -> None:
    page, email = audit.page, f"a11y-{audit.lang}@example.org"
    page.goto(f"/c/{seeded.slug}/sign")
    audit.check("sign-form")
    page.locator("form.sign-form button[type=submit]").click()
    page.wait_for_load_state()
    audit.check("sign-form-errors")
    page.locator("[name=name]").fill("Olympe de Gouges")
    page.locator("[name=email]").fill(email)
    page.locator("[name=country]").select_option("FR")
    page.locator("[name=show_name]").check()
    page.locator("form.sign-form button[type=submit]").click()
    page.wait_for_load_state()
    audit.check("sign-check-email")
    page.goto(_emailed_path(app, email, "/s/confirm/"))
    audit.check("sign-confirm")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    audit.check("sign-confirmed")


def _event(audit: Audit, seeded: Seeded, app) -> None:
    audit.page.goto(f"/events/{seeded.open_event}")
    audit.check("event")
    audit.page.goto(f"/events/{seeded.full_event}")
    audit.check("event-full")


def _rsvp(audit: Audit, seeded: Seeded, app) -> None:
    page, email = audit.page, f"guest-a11y-{audit.lang}@example.org"
    page.goto(f"/events/{seeded.open_event}")
    page.locator("[name=party_size]").fill("0")
    page.locator("section.rsvp form button[type=submit]").click()
    page.wait_for_load_state()
    audit.check("rsvp-form-errors")
    page.locator("[name=name]").fill("Ada")
    page.locator("[name=email]").fill(email)
    page.locator("[name=party_size]").fill("2")
    page.locator("section.rsvp form button[type=submit]").click()
    page.wait_for_load_state()
    audit.check("rsvp-check-email")
    page.goto(_emailed_path(app, email, "/events/rsvp/confirm/"))
    audit.check("rsvp-confirm")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/events/rsvp/[^/]+$"))
    audit.check("rsvp-going")


def _organize(audit: Audit, seeded: Seeded, app) -> None:
    """Logged-in tools: the dashboard, the grievance editor, a host's page, the routing preview."""
    page, slug = audit.page, seeded.slug
    page.goto("/account/login")
    audit.check("login")
    page.locator("[name=email]").fill(seeded.organizer)
    page.locator("[name=password]").fill(seeded.password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if audit.lang != "en":  # the account's language wins over the cookie: switch it
        page.locator(f".language-switch button[value={audit.lang}]").click()
        page.wait_for_load_state()
    for step, path in [
        ("dashboard", "/organize"),
        ("organizer-dashboard", f"/organize/{slug}"),
        ("grievance-editor", f"/organize/{slug}/text"),
        ("screenings", f"/organize/{slug}/events"),
        ("host-page", f"/events/{seeded.full_event}/manage"),
        ("signatures", f"/organize/{slug}/signatures"),
        ("letters", f"/organize/{slug}/letters"),
        ("routing-preview", f"/organize/{slug}/letters/plan"),
    ]:
        response = page.goto(path)
        assert response.status == 200, f"{path}: {response.status}"
        audit.check(step)


SCENARIOS = {"home": _home, "campaign": _campaign, "sign": _sign, "event": _event, "rsvp": _rsvp,
             "organize": _organize}  # fmt: skip


@pytest.mark.parametrize("lang", sorted(LOCALES))
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_axe(scenario, lang, audit, seeded, app, worker_devmail):
    SCENARIOS[scenario](audit, seeded, app)
    assert not audit.found, "\n".join(audit.found)


def test_the_audit_catches_a_serious_violation(browser, live_server, shots):
    """The check above can fail: a button without a name is reported as critical."""
    context = browser.new_context(base_url=live_server, locale="en-GB")
    try:
        audit = Audit(context.new_page(), shots, "en")
        audit.page.goto("/")
        audit.page.evaluate(
            "document.querySelector('main').append(document.createElement('button'))"
        )
        audit.check("nameless-button")
        assert any("button-name" in line for line in audit.found), audit.found
    finally:
        context.close()
