"""An SMTP sink in its own process, so that it never shares a GIL with the load generator.

Run: python -m tests.bench.smtp_sink PORT STATS_FILE

It accepts every message, remembers each Message-ID it has ever seen (a second delivery of
one is a duplicate), and rewrites STATS_FILE (JSON) every 0.2 s and on exit. SIGUSR1 starts
a new window: the per-window count and first/last arrival times start again, while the
Message-IDs seen and the duplicate count are kept for the whole run.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class Stats:
    def __init__(self) -> None:
        self.lock = threading.RLock()  # the SIGUSR1 handler may interrupt a holder
        self.seen: set[bytes] = set()
        self.total = 0
        self.duplicates = 0
        self.connections = 0
        self.window = 0
        self.window_duplicates = 0
        self.first_at: float | None = None
        self.last_at: float | None = None

    def record(self, content: bytes) -> None:
        head = content[: content.find(b"\r\n\r\n") if b"\r\n\r\n" in content else 8192]
        match = MESSAGE_ID.search(head)
        key = match.group(1) if match else b"<none-%d>" % self.total
        now = time.time()
        with self.lock:
            self.total += 1
            self.window += 1
            if key in self.seen:
                self.duplicates += 1
                self.window_duplicates += 1
            self.seen.add(key)
            self.first_at = self.first_at or now
            self.last_at = now

    def new_window(self) -> None:
        with self.lock:
            self.window = self.window_duplicates = 0
            self.first_at = self.last_at = None

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "pid": os.getpid(),
                "total": self.total,
                "unique": len(self.seen),
                "duplicates": self.duplicates,
                "connections": self.connections,
                "window": self.window,
                "window_duplicates": self.window_duplicates,
                "first_at": self.first_at,
                "last_at": self.last_at,
                "written_at": time.time(),
            }


class Handler:
    def __init__(self, stats: Stats) -> None:
        self.stats = stats

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:  # fmt: skip
        with self.stats.lock:
            self.stats.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.stats.record(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def _write(stats: Stats, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(stats.snapshot()))
    tmp.replace(path)


def main() -> None:
    from aiosmtpd.controller import Controller

    port, path = int(sys.argv[1]), Path(sys.argv[2])
    stats = Stats()
    # decode_data=False and no parsing: the sink must be cheaper than the senders.
    controller = Controller(Handler(stats), hostname="127.0.0.1", port=port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGUSR1, lambda *_: stats.new_window())
    controller.start()
    try:
        _write(stats, path)
        while not stop.wait(0.2):
            _write(stats, path)
    finally:
        controller.stop()
        _write(stats, path)
    asyncio.set_event_loop(None)


if __name__ == "__main__":
    main()
