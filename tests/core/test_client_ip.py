from __future__ import annotations

import logging

from organizer.client_ip import WITHOUT_ADDRESS, ip_hmac


def test_the_dev_servers_access_lines_lose_their_address(app):
    for address in ("127.0.0.1", "::1", "[fe80::1%%eth0]"):
        line = f'{address} - - [01/Dec/2026 12:00:00] "%s" %s %s\n'
        record = logging.LogRecord("werkzeug", logging.INFO, "", 0, line, ("GET /", 200, "-"), None)
        assert WITHOUT_ADDRESS.filter(record)
        assert record.getMessage() == '- - [01/Dec/2026 12:00:00] "GET /" 200 -\n'
    assert WITHOUT_ADDRESS in logging.getLogger("werkzeug").filters


def test_an_address_becomes_a_keyed_hmac(app):
    with app.app_context():
        key = ip_hmac("192.0.2.1")
        assert key and "192.0.2.1" not in key and key == ip_hmac("192.0.2.1")
        assert ip_hmac(None) is None and ip_hmac("192.0.2.2") != key
