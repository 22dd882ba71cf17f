"""The privacy checks of the story can fail: the request log notices a request to another
host and a cookie given to an anonymous reader."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.stack.story_support import RequestLog

pytestmark = [pytest.mark.e2e]


class _TrackingPage(BaseHTTPRequestHandler):
    """What a careless page does: a cookie for every reader, and a pixel from elsewhere."""

    def do_GET(self) -> None:
        body = b'<img src="http://tracker.invalid/pixel.gif">'
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Set-Cookie", "visitor=1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_the_request_log_sees_other_hosts_and_cookies(browser):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TrackingPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"127.0.0.1:{server.server_port}"
    log = RequestLog(host)
    context = log.watch(browser.new_context(), anonymous=True)
    try:
        context.route("http://tracker.invalid/**", lambda route: route.abort())
        page = context.new_page()
        with page.expect_request("http://tracker.invalid/pixel.gif"):
            page.goto(f"http://{host}/")
        assert log.elsewhere() == ["http://tracker.invalid/pixel.gif"]
        assert log.cookies_set() == [f"http://{host}/"]
        assert context.cookies() != []
    finally:
        context.close()
        server.shutdown()
        server.server_close()
