"""How a built message leaves: SMTP (one reused connection per worker thread) or the dev mailbox."""

from __future__ import annotations

import os
import smtplib
import ssl
import threading
from collections.abc import Callable
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Protocol
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app

from organizer.db import utcnow
from organizer.extensions import db
from organizer.mail.models import CapturedEmail


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def send_raw(self, sender: str, recipient: str, data: bytes) -> None:
        """Send bytes built by ``organizer.mail.mime.build_bytes`` (CRLF, ASCII)."""


class SMTPTransport:
    """Keeps its connection open between messages; a fork or a dropped link reconnects."""

    def __init__(self, url: str, timeout: float) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps", "smtp+starttls"):
            raise ValueError(f"SMTP_URL scheme must be smtp, smtps or smtp+starttls: {url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout
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

    def send(self, message: EmailMessage) -> None:
        self._over_connection(lambda conn: conn.send_message(message))

    def send_raw(self, sender: str, recipient: str, data: bytes) -> None:
        self._over_connection(lambda conn: conn.sendmail(sender, [recipient], data))

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


class DevMailboxTransport:
    """Stores the message for /dev/mail, in the delivering task's transaction."""

    def send(self, message: EmailMessage) -> None:
        self._capture(message, message.as_string())

    def send_raw(self, sender: str, recipient: str, data: bytes) -> None:
        message = message_from_bytes(data, policy=default)
        assert isinstance(message, EmailMessage)
        self._capture(message, data.decode("ascii").replace("\r\n", "\n"))

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
        if app.config["SMTP_URL"]:
            transport = SMTPTransport(app.config["SMTP_URL"], app.config["SMTP_TIMEOUT"])
        else:
            transport = DevMailboxTransport()
        app.extensions["mail_transport"] = transport
    return transport
