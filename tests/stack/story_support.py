"""What the story test drives: its own stack of processes, mail read from the SMTP server,
and a recorder of every request Chromium makes."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.support.services import (
    ManagedProcess,
    SmtpSink,
    celery_beat,
    celery_worker,
    wait_for,
    web_server,
)

# Its own Redis database: the story's tasks never reach the session's other workers.
REDIS_DB = "3"


def story_env(services: Any, port: int, **overrides: str) -> dict[str, str]:
    """The deploy/ settings, with the periodic jobs' intervals shortened by configuration."""
    return services.env(
        BASE_URL=f"http://127.0.0.1:{port}",
        PORT=str(port),
        REDIS_URL=services.redis.url.rsplit("/", 1)[0] + "/" + REDIS_DB,
        OUTBOX_SWEEP_INTERVAL_SECONDS="1",
        SIGNATURE_COUNT_INTERVAL_SECONDS="0.5",
        PLEDGE_CHECK_INTERVAL_SECONDS="1",
        LETTERS_SWEEP_INTERVAL_SECONDS="1",
        EVENT_REMINDER_INTERVAL_SECONDS="1",
        **overrides,
    )


@dataclass
class Stack:
    """gunicorn (2 workers), a Celery worker and beat, as deploy/ runs them."""

    env: dict[str, str]
    log_dir: Path
    schedules: Path
    web: ManagedProcess | None = None
    worker: ManagedProcess | None = None
    beat: ManagedProcess | None = None
    restarts: int = 0

    @property
    def base_url(self) -> str:
        return self.env["BASE_URL"]

    def start(self) -> None:
        self.web = web_server(self.env, self.log_dir, int(self.env["PORT"]), workers=2)
        self.start_jobs()

    def start_jobs(self) -> None:
        self.worker = self._worker(self.env)
        self.beat = celery_beat(self.env, self.log_dir, self.schedules / "beat-schedule")

    def restart_worker(self, **overrides: str) -> None:
        """The worker runs the periodic jobs that beat sends, so it alone reads the clock."""
        if self.worker is not None:
            self.worker.stop()
        self.worker = self._worker({**self.env, **overrides})

    def _worker(self, env: dict[str, str]) -> ManagedProcess:
        self.restarts += 1
        return celery_worker(env, self.log_dir, concurrency=3, name=f"story-worker-{self.restarts}")

    def stop_jobs(self) -> None:
        for process in (self.beat, self.worker):
            if process is not None:
                process.stop()
        self.beat = self.worker = None

    def stop(self) -> None:
        try:
            self.stop_jobs()
        finally:
            if self.web is not None:
                self.web.stop()
                self.web = None


def mail(smtp: SmtpSink, to: str, subject: str, timeout: float = 30.0) -> EmailMessage:
    """The first message to ``to`` whose subject contains ``subject``, once it arrives."""

    def arrived() -> EmailMessage | None:
        found = [m for m in smtp.messages_to(to) if subject in str(m["Subject"])]
        return found[0] if found else None

    result: EmailMessage = wait_for(arrived, timeout, 0.1, f"{subject!r} to {to}")
    return result


def link(message: EmailMessage, path: str) -> str:
    """The path of the link to ``path`` in the plain-text body of ``message``."""
    part = message.get_body(("plain",))
    assert part is not None, "the message has no text part"
    text = part.get_content()
    found = re.search(rf"https?://[^/\s]+({re.escape(path)}[^\s<>\"]*)", text)
    assert found, f"no link to {path} in:\n{text}"
    return found.group(1)


@dataclass
class RequestLog:
    """Every request of every browser context of the story, and what anonymous readers got."""

    app_host: str
    urls: list[str] = field(default_factory=list)
    anonymous_responses: list[Any] = field(default_factory=list)

    def watch(self, context: Any, anonymous: bool = False) -> Any:
        context.on("request", lambda request: self.urls.append(request.url))
        if anonymous:
            context.on("response", lambda response: self.anonymous_responses.append(response))
        return context

    def cookies_set(self) -> list[str]:
        """URLs whose response to an anonymous reader set a cookie (ask before closing)."""
        return [r.url for r in self.anonymous_responses if "set-cookie" in r.all_headers()]

    def elsewhere(self) -> list[str]:
        """Requests that left for another host (data: and about: URLs leave for none)."""
        return [
            url
            for url in self.urls
            if urlsplit(url).netloc and urlsplit(url).netloc != self.app_host
        ]


class StepTimer:
    """Seconds per step, printed as one line starting with STORY (never asserted on)."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.current: str | None = None
        self.seconds: dict[str, float] = {}

    def step(self, name: str) -> None:
        self._close()
        self.current = name

    def _close(self) -> None:
        now = time.monotonic()
        if self.current:
            self.seconds[self.current] = round(now - self.started, 1)
        self.started = now

    def report(self, **figures: int) -> None:
        self._close()
        print("STORY " + json.dumps({"seconds": self.seconds, **figures}))
