"""The dev mailbox at /dev/mail: what the dev transport captured. Registered outside production."""

from __future__ import annotations

import email
import re
from email.message import EmailMessage
from email.policy import default as default_policy

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup, escape
from sqlalchemy import select

from organizer.extensions import db
from organizer.mail.models import CapturedEmail
from organizer.security import is_loopback

dev_bp = Blueprint("dev_mail", __name__, url_prefix="/dev/mail")


@dev_bp.before_request
def _loopback_only() -> None:
    # Every message of the dev stack, links and tokens included: only for this machine,
    # even when `make run` is reachable from the network.
    if not is_loopback(request.remote_addr):
        abort(404)


URL_RE = re.compile(r"https?://[^\s<>\"']+")


def _parse(captured: CapturedEmail) -> EmailMessage:
    message = email.message_from_string(captured.raw, policy=default_policy)
    assert isinstance(message, EmailMessage)
    return message


def _part(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    return part.get_content() if part is not None else ""


def linkify(text: str) -> Markup:
    """Escape the text, then make every http(s) URL in it a link."""
    escaped = str(escape(text))
    # Safe: the text was escaped above, and the URL pattern excludes quotes and angle brackets.
    return Markup(URL_RE.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped))  # noqa: S704


def _get(message_id: int) -> CapturedEmail:
    captured = db.session.get(CapturedEmail, message_id)
    if captured is None:
        abort(404)
    return captured


@dev_bp.get("")
def inbox() -> ResponseReturnValue:
    messages = db.session.scalars(
        select(CapturedEmail).order_by(CapturedEmail.id.desc()).limit(200)
    ).all()
    return render_template("dev_mail/inbox.html", messages=messages)


@dev_bp.get("/<int:message_id>")
def show(message_id: int) -> ResponseReturnValue:
    captured = _get(message_id)
    message = _parse(captured)
    return render_template(
        "dev_mail/message.html",
        captured=captured,
        message=message,
        text=linkify(_part(message, "plain")),
        has_html=bool(_part(message, "html")),
        attachments=[
            (part.get_filename() or "", part.get_content_type())
            for part in message.iter_attachments()
        ],
    )


@dev_bp.get("/<int:message_id>/html")
def html(message_id: int) -> ResponseReturnValue:
    body = _part(_parse(_get(message_id)), "html")
    # Shown as its own document; the CSP still forbids anything it would load from elsewhere.
    return Response(body, mimetype="text/html")


@dev_bp.get("/<int:message_id>/raw")
def raw(message_id: int) -> ResponseReturnValue:
    return Response(_get(message_id).raw, mimetype="text/plain")
