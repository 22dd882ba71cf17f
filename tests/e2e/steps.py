"""Steps every journey takes: logging in through the form, and checking that a page fits
its viewport."""

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
    # Measured on the loaded page: an element can be in the DOM before the stylesheets have
    # arrived, and text laid out without them (a <pre> without pre-wrap) is wider than a
    # phone. A browser never paints that state, so only the styled page counts.
    page.wait_for_load_state("load")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right >"
        " document.documentElement.clientWidth).map(e => e.tagName + '.' + e.className).slice(0, 8)"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px too wide: {wide}"


def within_the_width(page: Any, locator: Any) -> None:
    """The element lies wholly inside the viewport's width: a button in a table that
    scrolls in its box passes no_sideways_scroll and still sits off the screen. Nothing is
    scrolled first: scrolling the element into view would scroll that box."""
    box = locator.bounding_box()
    width = page.evaluate("document.documentElement.clientWidth")
    assert box is not None, f"{locator} is not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (
        f"{locator} spans {box['x']:.0f} to {box['x'] + box['width']:.0f}px of {width}px"
    )
