"""Mail that comes back: the inbound hook (bounces, complaints, mailto unsubscribes) and
the RFC 8058 one-click unsubscribe of a supporter from a whole group's list."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from organizer.extensions import csrf, db
from organizer.groups.models import Group
from organizer.mail import feedback, inbound, listmail
from organizer.security import upload_limit
from organizer.supporters.models import Supporter

bp = Blueprint("mail", __name__)

# Form fields in which inbound webhooks of mail providers put the raw message.
_RAW_FIELDS = ("email", "body-mime", "raw", "message")


def _authorized() -> bool:
    token = current_app.config["INBOUND_MAIL_TOKEN"]
    given = request.headers.get("Authorization", "")
    scheme, _space, value = given.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        value.strip().encode(), token.encode()
    )


def _raw_message() -> bytes:
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for name in _RAW_FIELDS:
            if name in request.files:
                return request.files[name].read()
            if request.form.get(name):
                return request.form[name].encode("utf-8", "surrogateescape")
        return b""
    return request.get_data(cache=False)


@bp.post("/hooks/inbound-mail")
@csrf.exempt
@upload_limit("INBOUND_MAIL_MAX_BYTES")
def inbound_mail() -> ResponseReturnValue:
    """A raw RFC 5322 message, as a Postfix pipe to curl or a provider's webhook posts it.

    503 until INBOUND_MAIL_TOKEN is set: a Postfix pipe then defers the message and tries
    again later, so nothing is lost while the hook is being set up (a 404 would bounce it).
    """
    if not current_app.config["INBOUND_MAIL_TOKEN"]:
        return jsonify(error="inbound mail is not configured: set INBOUND_MAIL_TOKEN"), 503
    if not _authorized():
        response = jsonify(error="a valid bearer token is required")
        response.headers["WWW-Authenticate"] = 'Bearer realm="inbound-mail"'
        return response, 401
    raw = _raw_message()
    if not raw.strip():
        return jsonify(error="the body must be a raw RFC 5322 message"), 400
    recipients = request.args.getlist("recipient") + request.form.getlist("recipient")
    done = inbound.ingest(raw, recipients)
    db.session.commit()
    return jsonify(done), 202 if done["result"] == "ignored" else 200


def _private(body: str, status: int = 200) -> Response:
    response = Response(body, mimetype="text/html", status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/unsubscribe/s/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe_supporter(token: str) -> ResponseReturnValue:
    """RFC 8058: mail providers POST here from their servers, with no session, no Origin
    and no CSRF token; the signed token is the authentication. A GET only shows a button:
    link scanners fetch every link of a message."""
    supporter_id = listmail.supporter_for_token(token)
    supporter = db.session.get(Supporter, supporter_id) if supporter_id is not None else None
    if supporter is None:
        abort(404, description=_("This link is not valid. Use the link in your latest email."))
    group = db.session.get(Group, supporter.group_id)
    if request.method == "POST":
        feedback.unsubscribe(supporter.id)
        db.session.commit()
        return _private(render_template("mail/unsubscribed.html", group=group))
    return _private(render_template("mail/unsubscribe.html", group=group, token=token))
