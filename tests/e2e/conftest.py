"""Browser journeys: gunicorn, a Celery worker delivering to the dev mailbox, and Chromium.

The e2e stack uses its own Redis database as broker, so its worker never takes the
integration tests' tasks (which go to the SMTP sink) nor the other way round.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.chromium import shared_browser
from tests.support.services import celery_worker, free_port, web_server


@pytest.fixture(scope="session")
def e2e_env(services: Any) -> dict[str, str]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    return services.env(
        SMTP_URL="",
        BASE_URL=base_url,
        PORT=str(port),
        REDIS_URL=services.redis.url.rsplit("/", 1)[0] + "/1",
    )


@pytest.fixture(scope="session")
def live_server(services: Any, e2e_env: dict[str, str], app: Any) -> Iterator[str]:
    """The base URL of a gunicorn serving the app, mail going to /dev/mail."""
    server = web_server(e2e_env, services.log_dir, int(e2e_env["PORT"]), workers=2)
    yield e2e_env["BASE_URL"]
    server.stop()


@pytest.fixture(scope="session")
def worker_devmail(services: Any, e2e_env: dict[str, str], app: Any) -> Iterator[Any]:
    worker = celery_worker(e2e_env, services.log_dir, concurrency=2, name="worker-devmail")
    yield worker
    worker.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    with shared_browser() as chromium:
        yield chromium


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server, locale="en-GB")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


class Shots:
    """Numbered screenshots of one journey, kept as test artifacts."""

    def __init__(self, directory: Path, journey: str) -> None:
        self.directory = directory
        self.journey = journey
        self.count = 0

    def __call__(self, page: Any, step: str) -> Path:
        self.count += 1
        path = self.directory / f"{self.journey}-{self.count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shots(artifacts: Path, request: pytest.FixtureRequest) -> Shots:
    return Shots(artifacts, request.node.name.removeprefix("test_"))
