"""A real webhook receiver for the tests: an HTTP server on a free loopback port, in a
thread of the test process, that records every request and answers with the status codes
a test scripts for each path (200 once the script runs out)."""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.services import wait_for


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.lock = threading.Lock()
        # path -> the status codes still to answer, in order.
        self.script: dict[str, deque[int]] = defaultdict(deque)
        # path -> the Location of the redirect answered there.
        self.redirects: dict[str, str] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, path: str, *codes: int) -> None:
        with self.lock:
            self.script[path].extend(codes)

    def to(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def wait_for(self, path: str, count: int = 1, timeout: float = 30.0) -> list[Received]:
        return wait_for(
            lambda: got if len(got := self.to(path)) >= count else None,
            timeout,
            what=f"{count} request(s) to {path}",
        )

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with receiver.lock:
                receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
                script = receiver.script[self.path]
                code = script.popleft() if script else 200
            self.send_response(code)
            if self.path in receiver.redirects:
                self.send_header("Location", receiver.redirects[self.path])
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
