"""One Chromium for the whole test session, shared by every folder that drives a browser.

Playwright's sync API allows a single instance per thread, so the browser fixtures of
tests/e2e and tests/stack both borrow this one; the last to let go closes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

_shared: dict[str, Any] = {"users": 0}


@contextmanager
def shared_browser() -> Iterator[Any]:
    if _shared["users"] == 0:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        try:
            _shared["browser"] = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
        except BaseException:
            playwright.stop()
            raise
        _shared["playwright"] = playwright
    _shared["users"] += 1
    try:
        yield _shared["browser"]
    finally:
        _shared["users"] -= 1
        if _shared["users"] == 0:
            _shared.pop("browser").close()
            _shared.pop("playwright").stop()
