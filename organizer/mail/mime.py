"""Builds an outbox message as MIME.

Two builders. ``build_bytes`` writes the common message (text and HTML alternatives, no
attachment, ASCII addresses) straight to SMTP-ready bytes: about a tenth of the CPU of
``email.message.EmailMessage``, which the drain of a spike pays once per email. Everything
else (attachments, an internationalised address, a header it cannot vouch for) goes through
``build_message``, the general and slower path. Both carry the same headers; tests parse the
fast one's bytes back with the standard library.
"""

from __future__ import annotations

import binascii
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, getaddresses, parseaddr
from functools import lru_cache

from organizer.db import utcnow


@dataclass(frozen=True)
class Attachment:
    filename: str
    mime_type: str  # "application/pdf"
    content: bytes


@dataclass(frozen=True, slots=True)
class Outgoing:
    """What a message is built from: a claimed outbox row, without the ORM."""

    id: int
    to_addr: str
    subject: str
    text_body: str
    html_body: str
    headers: Mapping[str, str]
    message_id: str
    kind: str
    locale: str
    attempts: int
    attachments: Sequence[Attachment] = field(default=())


# The headers this module writes itself; a custom header by one of these names would be a
# second copy, which the general builder refuses.
_OWN_HEADERS = frozenset(
    ("from", "to", "subject", "date", "message-id", "auto-submitted", "content-language",
     "mime-version", "content-type", "content-transfer-encoding")
)  # fmt: skip
_ADDRESS_HEADERS = frozenset(("reply-to", "cc", "sender"))
# Not sent: a display name for From (a mailing's "from name"); the address stays MAIL_FROM's,
# so SPF and DKIM stay aligned for DMARC.
FROM_NAME = "X-Cahier-From-Name"
_HEADER_NAME = re.compile(r"[!-9;-~]{1,76}\Z")
_PART_HEAD = (
    b'Content-Type: text/%s; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
)


@lru_cache(maxsize=8)
def envelope_sender(mail_from: str) -> str:
    return parseaddr(mail_from)[1]


def fast_path(email: Outgoing) -> bool:
    """Whether ``build_bytes`` may build this message (else use ``build_message``)."""
    if email.attachments or not email.to_addr.isascii() or not email.locale.isascii():
        return False
    if _unsafe(email.to_addr) or _unsafe(email.message_id) or _unsafe(email.locale):
        return False
    for name, value in email.headers.items():
        if not _HEADER_NAME.match(name) or name.lower() in _OWN_HEADERS or _unsafe(value):
            return False
        if name.lower() in _ADDRESS_HEADERS and not _ascii_addresses(value):
            return False
    return True


def _ascii_addresses(value: str) -> bool:
    # A display name in any script is encoded (RFC 2047); an internationalised address
    # itself needs SMTPUTF8, which the general path negotiates.
    pairs = getaddresses([value])
    return bool(pairs) and all(address.isascii() and "@" in address for _, address in pairs)


def build_bytes(email: Outgoing, mail_from: str) -> bytes:
    """The message as CRLF bytes: multipart/alternative, quoted-printable UTF-8 parts.

    Call only when ``fast_path(email)``. The boundary starts with "=_", which quoted-
    printable output can never contain ("=" is always followed by two hex digits or a
    line break), so it cannot collide with a body.
    """
    boundary = b"=_" + secrets.token_hex(12).encode()
    lines = [
        b"From: " + _from_header(_sender(mail_from, email.headers.get(FROM_NAME))),
        b"To: " + email.to_addr.encode(),
        b"Subject: " + _unstructured("Subject", email.subject),
        b"Date: " + format_datetime(utcnow()).encode(),
        b"Message-ID: " + email.message_id.encode(),
        b"Auto-Submitted: auto-generated",
    ]
    for name, value in email.headers.items():
        if name == FROM_NAME:
            continue
        encoded = (
            _addresses(value) if name.lower() in _ADDRESS_HEADERS else _unstructured(name, value)
        )
        lines.append(name.encode() + b": " + encoded)
    lines += [
        b"Content-Language: " + email.locale.encode(),
        b"MIME-Version: 1.0",
        b'Content-Type: multipart/alternative; boundary="' + boundary + b'"',
    ]
    # The line break before a delimiter belongs to the delimiter (RFC 2046), hence the
    # "\r\n" before each: the bodies keep their final newline.
    delimiter = b"--" + boundary + b"\r\n"
    return b"".join((
        b"\r\n".join(lines), b"\r\n\r\n",
        delimiter, _PART_HEAD % b"plain", _quoted_printable(email.text_body),
        b"\r\n", delimiter, _PART_HEAD % b"html", _quoted_printable(email.html_body),
        b"\r\n--", boundary, b"--\r\n",
    ))  # fmt: skip


def build_message(email: Outgoing, mail_from: str) -> EmailMessage:
    """The general builder: any header, any address, attachments."""
    message = EmailMessage()
    message["From"] = _sender(mail_from, email.headers.get(FROM_NAME))
    message["To"] = email.to_addr
    message["Subject"] = email.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = email.message_id
    message["Auto-Submitted"] = "auto-generated"
    for name, value in email.headers.items():
        if name != FROM_NAME:
            message[name] = value
    message.set_content(email.text_body)
    message.add_alternative(email.html_body, subtype="html")
    for item in email.attachments:
        maintype, _, subtype = item.mime_type.partition("/")
        message.add_attachment(
            item.content, maintype=maintype, subtype=subtype or "octet-stream",
            filename=item.filename,
        )  # fmt: skip
    # After the parts: setting content clears every Content-* header.
    message["Content-Language"] = email.locale
    return message


def _unsafe(value: str) -> bool:
    # A line break in a header value would start a header (or a body) of its own.
    return "\r" in value or "\n" in value or "\0" in value


@lru_cache(maxsize=64)
def _sender(mail_from: str, display_name: str | None) -> str:
    if not display_name:
        return mail_from
    return formataddr((display_name, parseaddr(mail_from)[1]), charset="utf-8")


@lru_cache(maxsize=64)
def _from_header(mail_from: str) -> bytes:
    name, address = parseaddr(mail_from)
    return formataddr((name, address), charset="utf-8").encode("ascii")


def _addresses(value: str) -> bytes:
    pairs = getaddresses([value])
    return ", ".join(formataddr(pair, charset="utf-8") for pair in pairs).encode("ascii")


def _unstructured(name: str, value: str) -> bytes:
    if value.isascii() and "=?" not in value:
        if len(name) + len(value) < 76:
            return value.encode()
        # A mailing's List-Unsubscribe: plain ASCII, only folded at its spaces, which is
        # all that email.header would do with it, at a twentieth of the cost.
        return _fold_ascii(len(name) + 2, value).encode()
    # Folded to 78 columns; RFC 2047 encoded words when not plain ASCII, or when the text
    # would otherwise read as an encoded word itself.
    charset = "us-ascii" if value.isascii() and "=?" not in value else "utf-8"
    folded = Header(value, charset, header_name=name).encode(linesep="\r\n")
    return folded.encode("ascii")


def _fold_ascii(start: int, value: str) -> str:
    """``value`` with some of its spaces turned into folds (CRLF, space), so that lines stay
    within 78 columns where a word allows; unfolding gives back ``value`` exactly."""
    lines: list[str] = []
    line: list[str] = []
    width = start
    for word in value.split(" "):
        # Never break before an empty word: a fold must not leave a line of blanks.
        if line and word and width + 1 + len(word) > 78:
            lines.append(" ".join(line))
            line, width = [], 0
        width += len(word) + (1 if line or lines else 0)
        line.append(word)
    lines.append(" ".join(line))
    return "\r\n ".join(lines)


def _quoted_printable(text: str) -> bytes:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    return binascii.b2a_qp(text.encode("utf-8"), istext=True).replace(b"\n", b"\r\n")
