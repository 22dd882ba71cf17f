"""Steps every journey takes: logging in through the form, and checking that a page fits
its viewport. Older journeys still carry their own copies of these."""

from __future__ import annotations

from typing import Any

from tests.factories import PASSWORD


def log_in(page: Any, email: str) -> None:
    page.goto("/account/login")
    page.locator("[name=email]").fill(email)
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px too wide"
