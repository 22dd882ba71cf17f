"""How a built message leaves: SMTP (one reused connection per worker thread) or the dev mailbox."""

from __future__ import annotations

import contextlib
import os
import re
import smtplib
import ssl
import threading
from collections.abc import Callable
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8, default
from email.utils import parseaddr
from typing import Protocol
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app

from organizer.db import utcnow
from organizer.extensions import db
from organizer.mail.models import CapturedEmail
from organizer.mail.signing import DkimSigner, signer_for


class Transport(Protocol):
    def send(self, message: EmailMessage, sender: str | None = None) -> None:
        """``sender``: the envelope sender (MAIL FROM); the From address when None."""

    def send_raw(self, sender: str, recipient: str, data: bytes) -> None:
        """Send bytes built by ``organizer.mail.mime.build_bytes`` (CRLF, ASCII)."""


class SMTPTransport:
    """Keeps its connection open between messages; a fork or a dropped link reconnects."""

    def __init__(self, url: str, timeout: float, signer: DkimSigner | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps", "smtp+starttls"):
            raise ValueError(f"SMTP_URL scheme must be smtp, smtps or smtp+starttls: {url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout
        self.signer = signer
        self._local = threading.local()

    def _connect(self) -> smtplib.SMTP:
        conn: smtplib.SMTP
        if self.scheme == "smtps":
            conn = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.scheme == "smtp+starttls":
                conn.starttls(context=ssl.create_default_context())
        if self.username:
            conn.login(self.username, self.password or "")
        return conn

    def _connection(self) -> smtplib.SMTP:
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = self._connect()
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()

    def send(self, message: EmailMessage, sender: str | None = None) -> None:
        if self.signer is None:
            self._over_connection(lambda conn: conn.send_message(message, from_addr=sender))
            return
        # Signed as the bytes that go on the wire, so the message is serialized here once.
        recipient, international = _addresses(message)
        data = message.as_bytes(policy=SMTPUTF8 if international else SMTP)
        options = ("SMTPUTF8", "BODY=8BITMIME") if international else ()
        from_addr = sender or parseaddr(str(message["From"]))[1]
        signed = self.signer.sign(data)
        self._over_connection(
            lambda conn: conn.sendmail(from_addr, [recipient], signed, mail_options=options)
        )

    def send_raw(self, sender: str, recipient: str, data: bytes) -> None:
        if self.signer is not None:
            data = self.signer.sign(data)
        self._over_connection(lambda conn: send_pipelined(conn, sender, recipient, data))

    def _over_connection(self, send: Callable[[smtplib.SMTP], object]) -> None:
        try:
            send(self._connection())
        except smtplib.SMTPServerDisconnected:
            # The server closed an idle connection; one fresh connection is worth a try.
            self._drop()
            send(self._connection())
        except smtplib.SMTPException:
            # The server answered (a refusal): the connection is still good.
            raise
        except OSError:
            self._drop()
            raise

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()


def send_pipelined(conn: smtplib.SMTP, sender: str, recipient: str, data: bytes) -> None:
    """``conn.sendmail(sender, [recipient], data)`` in two round trips rather than four when
    the server offers PIPELINING (RFC 2920): MAIL, RCPT and DATA go in one write, then the
    content. Refusals raise what smtplib's would, so retries and bounces read them alike.
    ``data`` is ASCII with CRLF line ends, as ``mime.build_bytes`` makes it."""
    conn.ehlo_or_helo_if_needed()
    if not conn.has_extn("pipelining"):
        conn.sendmail(sender, [recipient], data)
        return
    conn.send(f"MAIL FROM:{_path(sender)}\r\nRCPT TO:{_path(recipient)}\r\nDATA\r\n".encode())
    mail, rcpt, start = conn.getreply(), conn.getreply(), conn.getreply()
    if start[0] == 354 and (mail[0] != 250 or rcpt[0] not in (250, 251)):
        # A server that took DATA although nobody may receive it: end the data at once.
        conn.send(b".\r\n")
        conn.getreply()
    if 421 in (mail[0], rcpt[0], start[0]):
        conn.close()
    else:
        if start[0] != 354:
            _reset(conn)
    if mail[0] != 250:
        raise smtplib.SMTPSenderRefused(mail[0], mail[1], sender)
    if rcpt[0] not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({recipient: rcpt})
    if start[0] != 354:
        raise smtplib.SMTPDataError(*start)
    # Most messages have no line that starts with a dot: one search finds that out, at a
    # small fraction of the substitution's cost over a whole message.
    content = _DOT_LINE.sub(b"..", data) if data.startswith(b".") or b"\n." in data else data
    if not content.endswith(b"\r\n"):
        content += b"\r\n"
    conn.send(content + b".\r\n")
    code, reply = conn.getreply()
    if code != 250:
        if code == 421:
            conn.close()
        else:
            _reset(conn)
        raise smtplib.SMTPDataError(code, reply)


def _path(address: str) -> str:
    """``<address>`` for a bare address, which is what the outbox holds: smtplib's
    quoteaddr parses it with email.utils first, a fifth of a message's CPU."""
    if not address.isascii() or any(c in address for c in "\r\n\0<> "):
        return smtplib.quoteaddr(address).replace("\r", "").replace("\n", "")
    return f"<{address}>"


# RFC 5321 4.5.2: a line of the content that starts with a dot gets a second one.
_DOT_LINE = re.compile(rb"(?m)^\.")


def _reset(conn: smtplib.SMTP) -> None:
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        conn.rset()


def _addresses(message: EmailMessage) -> tuple[str, bool]:
    recipient = parseaddr(str(message["To"]))[1]
    sender = parseaddr(str(message["From"]))[1]
    return recipient, not (recipient.isascii() and sender.isascii())


class DevMailboxTransport:
    """Stores the message for /dev/mail, in the delivering task's transaction; with DKIM
    set up it signs as SMTP would, so that the raw view shows the header."""

    def __init__(self, signer: DkimSigner | None = None) -> None:
        self.signer = signer

    def send(self, message: EmailMessage, sender: str | None = None) -> None:
        if self.signer is None:
            self._capture(message, message.as_string())
            return
        _recipient, international = _addresses(message)
        self.send_raw(
            sender or "", "", message.as_bytes(policy=SMTPUTF8 if international else SMTP)
        )

    def send_raw(self, sender: str, recipient: str, data: bytes) -> None:
        if self.signer is not None:
            data = self.signer.sign(data)
        message = message_from_bytes(data, policy=default)
        assert isinstance(message, EmailMessage)
        self._capture(message, data.decode("utf-8", "replace").replace("\r\n", "\n"))

    def _capture(self, message: EmailMessage, raw: str) -> None:
        db.session.add(
            CapturedEmail(
                message_id=str(message["Message-ID"]),
                to_addr=str(message["To"]),
                subject=str(message["Subject"]),
                raw=raw,
                received_at=utcnow(),
            )
        )


def get_transport(app: Flask | None = None) -> Transport:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    transport = app.extensions.get("mail_transport")
    if transport is None:
        signer = signer_for(app)
        if app.config["SMTP_URL"]:
            transport = SMTPTransport(app.config["SMTP_URL"], app.config["SMTP_TIMEOUT"], signer)
        else:
            transport = DevMailboxTransport(signer)
        app.extensions["mail_transport"] = transport
    return transport
