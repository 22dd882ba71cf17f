"""The production-shaped stack for the story: Chromium, shared with tests/e2e."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.chromium import shared_browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    with shared_browser() as chromium:
        yield chromium
