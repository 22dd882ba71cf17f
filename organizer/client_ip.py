"""The keyed HMAC that stands in for a client's IP address wherever one would be kept.

Signatures store it, and rate limits key Redis by it, so no raw address sits at rest.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re

from flask import current_app, request


def ip_hmac(ip: str | None) -> str | None:
    if not ip:
        return None
    key = current_app.config["SIGNATURE_IP_KEY"] or "ip:" + current_app.config["SECRET_KEY"]
    return hmac.new(key.encode(), ip.encode(), hashlib.sha256).hexdigest()


def remote_key() -> str:
    """Flask-Limiter's key for a request: its client's IP HMAC."""
    return ip_hmac(request.remote_addr) or "unknown"


class WithoutAddress(logging.Filter):
    """Drops the client address that werkzeug's dev server starts each access line with."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _ADDRESS.sub("", record.msg, count=1)
        return True


# werkzeug writes "<address> - - [<date>] <request>"; the address may be IPv6 or a name.
_ADDRESS = re.compile(r"^\S+ (?=- - \[)")
WITHOUT_ADDRESS = WithoutAddress()  # one instance, so that a second app adds no second
