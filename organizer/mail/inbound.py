"""Reads what comes back to us by mail: delivery status notifications (RFC 3464), abuse
reports (ARF, RFC 5965) and mails to ``unsubscribe+<token>@``.

A report is believed only when it names one of our messages: through the VERP address it
was sent back to (``bounce+<signed outbox id>@``), the Message-ID of the original it quotes,
or a signed token. Anyone can mail a forged DSN to the bounce address; without our signature
or our Message-ID it changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses

from organizer.mail import feedback, listmail

# Where an inbound message's envelope recipient shows: Postfix writes Delivered-To and
# X-Original-To; providers' webhooks keep To; some MTAs use Envelope-To.
_RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To")
_STATUS = re.compile(r"\b([245])\.\d{1,3}\.\d{1,3}\b")
_COMPLAINT_TYPES = frozenset(("abuse", "fraud", "virus", "other"))


@dataclass(frozen=True)
class Report:
    """What one inbound message says. ``kind`` is an Outcome value or "ignored"."""

    kind: str
    outbox_id: int | None = None
    message_id: str | None = None
    recipient: str | None = None
    supporter_id: int | None = None
    status: str = ""
    reason: str = ""
    recipients: tuple[str, ...] = field(default=())


def parse(raw: bytes, envelope_recipients: Iterable[str] = ()) -> Report:
    """Never raises: garbage is a Report of kind "ignored"."""
    try:
        message = message_from_bytes(raw, policy=compat32)
        return _read(message, [*envelope_recipients, *_recipients(message)])
    except Exception as exc:  # hostile input: no parser error may become a 500
        return Report("ignored", reason=f"unreadable: {type(exc).__name__}")


def _recipients(message: Message) -> list[str]:
    values = [str(v) for name in _RECIPIENT_HEADERS for v in (message.get_all(name) or [])]
    return [address for _, address in getaddresses(values) if address]


def _read(message: Message, recipients: list[str]) -> Report:
    verp = next(filter(None, map(listmail.outbox_id_for_bounce_address, recipients)), None)
    unsubscriber = next(
        filter(None, map(listmail.supporter_for_unsubscribe_address, recipients)), None
    )
    report_type = str(message.get_param("report-type") or "").lower()
    if message.get_content_type() == "multipart/report" and report_type == "delivery-status":
        return _dsn(message, verp)
    if message.get_content_type() == "multipart/report" and report_type == "feedback-report":
        return _arf(message, verp)
    if unsubscriber is not None:
        return Report("unsubscribe", supporter_id=unsubscriber)
    if verp is not None and _looks_like_bounce(message):
        # A bounce that is no DSN (an old MTA's prose): the VERP address names the row, and
        # the sender's words cannot be read, so it counts as soft.
        return Report("soft_bounce", outbox_id=verp, reason="non-standard bounce")
    return Report("ignored", outbox_id=verp, reason="not a report")


def _looks_like_bounce(message: Message) -> bool:
    sender = str(message.get("From", "")).lower()
    return "mailer-daemon" in sender or "postmaster" in sender


def _parts(message: Message) -> Iterator[Message]:
    yield from message.walk()


def _fields(part: Message) -> list[Message]:
    """The header blocks of a message/delivery-status or message/feedback-report part,
    however the parser left them (a list of blocks, a sub-message, or text)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    text = payload if isinstance(payload, str) else ""
    blocks = re.split(r"\r?\n\s*\r?\n", text.strip())
    return [
        BytesHeaderParser(policy=compat32).parsebytes(b.encode(errors="replace")) for b in blocks
    ]


def _original_headers(message: Message) -> Message | None:
    for part in _parts(message):
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                return inner[0]
        if kind == "text/rfc822-headers":
            body = part.get_payload(decode=True)
            if isinstance(body, bytes):
                return BytesHeaderParser(policy=compat32).parsebytes(body)
    return None


def _address(value: str | None) -> str | None:
    # "rfc822; jane@example.org" (RFC 3464 address-type; address)
    if not value:
        return None
    address = str(value).split(";", 1)[-1].strip().strip("<>")
    return address or None


def _dsn(message: Message, verp: int | None) -> Report:
    status_part = next(
        (p for p in _parts(message) if p.get_content_type() == "message/delivery-status"), None
    )
    blocks = _fields(status_part) if status_part is not None else []
    per_recipient = [b for b in blocks if b.get("Action") or b.get("Status")]
    original = _original_headers(message)
    message_id = str(original.get("Message-ID", "")).strip() or None if original else None
    if verp is None and original is not None:
        verp = _verp_of(original)
    failing = [b for b in per_recipient if _kind(b) != "ignored"]
    if not failing:
        return Report("ignored", outbox_id=verp, message_id=message_id, reason="no failure")
    hard = [b for b in failing if _kind(b) == "hard_bounce"]
    block = (hard or failing)[0]
    recipient = _address(block.get("Final-Recipient")) or _address(block.get("Original-Recipient"))
    return Report(
        "hard_bounce" if hard else "soft_bounce",
        outbox_id=verp,
        message_id=message_id,
        recipient=recipient,
        status=str(block.get("Status", "")).strip()[:32],
        reason=str(block.get("Diagnostic-Code", "")).strip()[:500],
    )


def _kind(block: Message) -> str:
    action = str(block.get("Action", "")).strip().lower()
    found = _STATUS.search(str(block.get("Status", "")))
    status_class = found.group(1) if found else ""
    if action == "failed":
        return "soft_bounce" if status_class == "4" else "hard_bounce"
    if action == "delayed":
        return "soft_bounce"
    if not action and status_class == "5":
        return "hard_bounce"
    return "ignored"  # delivered, relayed, expanded, or nothing we can read


def _verp_of(original: Message) -> int | None:
    # The original's Return-Path is its envelope sender, our VERP address.
    for value in original.get_all("Return-Path") or []:
        found = listmail.outbox_id_for_bounce_address(str(value))
        if found is not None:
            return found
    return None


def _arf(message: Message, verp: int | None) -> Report:
    report = next(
        (p for p in _parts(message) if p.get_content_type() == "message/feedback-report"), None
    )
    fields = _fields(report) if report is not None else []
    feedback = fields[0] if fields else EmailMessage()
    feedback_type = str(feedback.get("Feedback-Type", "")).strip().lower()
    if feedback_type not in _COMPLAINT_TYPES:
        return Report("ignored", outbox_id=verp, reason=f"feedback type {feedback_type!r}")
    original = _original_headers(message)
    message_id = str(original.get("Message-ID", "")).strip() or None if original else None
    verp = verp or listmail.outbox_id_for_bounce_address(
        str(feedback.get("Original-Mail-From", ""))
    )
    if verp is None and original is not None:
        verp = _verp_of(original)
    supporter = _unsubscribe_token(original) if original is not None else None
    return Report(
        "complaint",
        outbox_id=verp,
        message_id=message_id,
        recipient=_address(feedback.get("Original-Rcpt-To")),
        supporter_id=supporter,
        reason=feedback_type,
    )


def _unsubscribe_token(original: Message) -> int | None:
    # Providers often redact the recipient; the List-Unsubscribe mailto still names them.
    for found in re.findall(r"mailto:([^>?\s]+)", str(original.get("List-Unsubscribe", ""))):
        supporter = listmail.supporter_for_unsubscribe_address(found)
        if supporter is not None:
            return supporter
    return None


def ingest(raw: bytes, envelope_recipients: Iterable[str] = ()) -> dict[str, object]:
    """Parse and apply one inbound message in the caller's transaction; what was done."""
    report = parse(raw, envelope_recipients)
    if report.kind == "ignored":
        return {"result": "ignored", "reason": report.reason}
    outcome = feedback.Outcome(report.kind)
    if outcome == feedback.Outcome.UNSUBSCRIBE:
        done = feedback.apply(outcome, None, supporter_id=report.supporter_id)
        return {"result": outcome.value, "done": done}
    sent = feedback.sent_row(report.outbox_id) if report.outbox_id is not None else None
    if sent is None and report.message_id:
        sent = feedback.sent_by_message_id(report.message_id)
    if sent is None and report.supporter_id is None:
        return {"result": "ignored", "reason": "names none of our messages"}
    # The address we sent to, not the DSN's Final-Recipient: a forward may have changed it,
    # and it is our row's address that must stop receiving.
    done = feedback.apply(outcome, sent, supporter_id=report.supporter_id,
                          detail=f"{report.status} {report.reason}".strip()[:500])  # fmt: skip
    return {"result": outcome.value, "email": sent.id if sent else None, "done": done}
