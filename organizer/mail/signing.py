"""DKIM signatures (RFC 6376, with dkimpy) for every message, when DKIM_PRIVATE_KEY and
DKIM_SELECTOR are set. The 2024 Gmail and Yahoo bulk-sender rules ask for a signature
aligned with the From domain, covering the one-click unsubscribe headers (RFC 8058)."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path

import dkim
from flask import Flask

# Signed when present. List-Unsubscribe and -Post must be: RFC 8058 section 4. The
# headers a relay may add (Received, Return-Path) are not.
SIGNED_HEADERS = (
    b"From", b"To", b"Subject", b"Date", b"Message-ID", b"Reply-To", b"List-Unsubscribe",
    b"List-Unsubscribe-Post", b"List-Id", b"MIME-Version", b"Content-Type",
    b"Content-Language", b"Auto-Submitted",
)  # fmt: skip


@dataclass(frozen=True)
class DkimSigner:
    selector: bytes
    domain: bytes
    private_key: bytes

    def header(self, data: bytes) -> bytes:
        """The DKIM-Signature header line (CRLF-terminated) for the message's bytes."""
        present = {line.split(b":", 1)[0].strip().lower() for line in _head(data)}
        return bytes(
            dkim.sign(
                data,
                self.selector,
                self.domain,
                self.private_key,
                include_headers=[h for h in SIGNED_HEADERS if h.lower() in present],
                canonicalize=(b"relaxed", b"relaxed"),
                linesep=b"\r\n",
            )
        )

    def sign(self, data: bytes) -> bytes:
        return self.header(data) + data


def _head(data: bytes) -> list[bytes]:
    head = data.split(b"\r\n\r\n", 1)[0].replace(b"\r\n", b"\n").split(b"\n")
    return [line for line in head if line and not line[:1].isspace()]


def _key(value: str) -> bytes:
    # The PEM itself (a .env line may write its line breaks as \n), or a file holding it.
    if "-----BEGIN" in value:
        return value.replace("\\n", "\n").encode()
    return Path(value).read_bytes()


def signer_for(app: Flask) -> DkimSigner | None:
    key, selector = app.config.get("DKIM_PRIVATE_KEY"), app.config.get("DKIM_SELECTOR")
    if not key or not selector:
        return None
    domain = app.config.get("DKIM_DOMAIN") or _from_domain(app.config["MAIL_FROM"])
    return DkimSigner(selector.encode(), domain.encode(), _key(key))


def _from_domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2].lower()
