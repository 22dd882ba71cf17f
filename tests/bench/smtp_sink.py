"""An SMTP sink in its own process, so that it never shares a GIL with the load generator.

Run: python -m tests.bench.smtp_sink PORT STATS_FILE

It accepts every message, remembers each Message-ID it has ever seen (a second delivery of
one is a duplicate), and rewrites STATS_FILE (JSON) every 0.2 s and on exit. SIGUSR1 starts
a new window: the per-window count and first/last arrival times start again, while the
Message-IDs seen and the duplicate count are kept for the whole run.

A real SMTP server (RFC 5321, with PIPELINING, RFC 2920), written on a bare asyncio
protocol rather than aiosmtpd: aiosmtpd reads DATA a line at a time, which cost 1.3 ms of
CPU for a 94-line mailing message, more than the worker spent sending it. Here the content
is found in whatever the socket delivered with one search for the terminating
``CRLF.CRLF``, and commands are answered in the order they came, so that a pipelined
client gets all its replies in one write.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import sys
import time
from pathlib import Path
from typing import Any

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
END_OF_DATA = b"\r\n.\r\n"
MAX_LINE = 4096
MAX_MESSAGE = 64 * 1024 * 1024  # advertised; the sink trusts its bench client
EHLO_REPLY = (
    b"250-sink.invalid\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
    b"250-SIZE %d\r\n250 HELP\r\n" % MAX_MESSAGE
)


class Stats:
    def __init__(self) -> None:
        self.seen: set[bytes] = set()
        self.total = 0
        self.duplicates = 0
        self.connections = 0
        self.window = 0
        self.window_duplicates = 0
        self.first_at: float | None = None
        self.last_at: float | None = None

    def record(self, content: bytes) -> None:
        end = content.find(b"\r\n\r\n")
        match = MESSAGE_ID.search(content, 0, end if end >= 0 else 8192)
        key = match.group(1) if match else b"<none-%d>" % self.total
        now = time.time()
        self.total += 1
        self.window += 1
        if key in self.seen:
            self.duplicates += 1
            self.window_duplicates += 1
        self.seen.add(key)
        self.first_at = self.first_at or now
        self.last_at = now

    def new_window(self) -> None:
        self.window = self.window_duplicates = 0
        self.first_at = self.last_at = None

    def snapshot(self) -> dict[str, Any]:
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


def unstuff(data: bytes) -> bytes:
    """RFC 5321 4.5.2: a line of the content that starts with a dot was sent with two."""
    data = data.replace(b"\r\n..", b"\r\n.")
    return data[1:] if data.startswith(b"..") else data


class Session(asyncio.Protocol):
    """One SMTP connection: a command state and a buffer, no per-line callback."""

    def __init__(self, stats: Stats) -> None:
        self.stats = stats
        self.buffer = bytearray()
        self.in_data = False
        self.scanned = 0  # how far the buffer is known to hold no END_OF_DATA
        self.sender: bytes | None = None
        self.recipients = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(b"220 sink.invalid ESMTP ready\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        replies: list[bytes] = []
        closing = False
        while not closing:
            if self.in_data:
                if not self._content(replies):
                    break
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                if len(self.buffer) > MAX_LINE:
                    replies.append(b"500 Line too long\r\n")
                    closing = True
                break
            line = bytes(self.buffer[:end])
            del self.buffer[: end + 2]
            reply, closing = self._command(line)
            replies.append(reply)
        assert self.transport is not None
        if replies:
            self.transport.write(b"".join(replies))
        if closing:
            self.transport.close()

    def _content(self, replies: list[bytes]) -> bool:
        """Take one message off the buffer if it is complete; False when more must come."""
        if self.buffer.startswith(b".\r\n"):  # an empty message
            end, skip = -2, 3
        else:
            end = self.buffer.find(END_OF_DATA, max(0, self.scanned - 4))
            skip = len(END_OF_DATA)
            if end < 0:
                self.scanned = len(self.buffer)
                return False
        content = unstuff(bytes(self.buffer[: end + 2])) if end >= 0 else b""
        del self.buffer[: end + skip]
        self.in_data, self.scanned = False, 0
        self.stats.record(content)
        self.sender, self.recipients = None, 0
        replies.append(b"250 2.0.0 Message accepted for delivery\r\n")
        return True

    def _command(self, line: bytes) -> tuple[bytes, bool]:
        verb, _, argument = line.partition(b" ")
        verb = verb.upper()
        if verb == b"EHLO" or verb == b"HELO":
            self.stats.connections += 1
            self.sender, self.recipients = None, 0
            return (EHLO_REPLY if verb == b"EHLO" else b"250 sink.invalid\r\n"), False
        if verb == b"MAIL":
            if not argument.upper().startswith(b"FROM:"):
                return b"501 Syntax: MAIL FROM:<address>\r\n", False
            self.sender, self.recipients = argument[5:].strip(), 0
            return b"250 2.1.0 OK\r\n", False
        if verb == b"RCPT":
            if self.sender is None:
                return b"503 5.5.1 MAIL first\r\n", False
            if not argument.upper().startswith(b"TO:"):
                return b"501 Syntax: RCPT TO:<address>\r\n", False
            self.recipients += 1
            return b"250 2.1.5 OK\r\n", False
        if verb == b"DATA":
            if not self.recipients:
                return b"503 5.5.1 RCPT first\r\n", False
            self.in_data = True
            return b"354 End data with <CR><LF>.<CR><LF>\r\n", False
        if verb == b"RSET":
            self.sender, self.recipients = None, 0
            return b"250 2.0.0 OK\r\n", False
        if verb == b"NOOP":
            return b"250 2.0.0 OK\r\n", False
        if verb == b"QUIT":
            return b"221 2.0.0 Bye\r\n", True
        return b"500 5.5.2 Command not recognized\r\n", False


def _write(stats: Stats, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(stats.snapshot()))
    tmp.replace(path)


async def serve(port: int, path: Path) -> None:
    stats = Stats()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    # One thread, the loop's: a window starts between two messages, never inside one.
    loop.add_signal_handler(signal.SIGUSR1, stats.new_window)
    server = await loop.create_server(lambda: Session(stats), "127.0.0.1", port)
    try:
        _write(stats, path)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.2)
            _write(stats, path)
    finally:
        server.close()
        _write(stats, path)


def main() -> None:
    port, path = int(sys.argv[1]), Path(sys.argv[2])
    asyncio.run(serve(port, path))


if __name__ == "__main__":
    main()
