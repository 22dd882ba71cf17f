"""The 'manage my signature' pages and the RFC 8058 one-click unsubscribe endpoint."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from organizer.extensions import csrf, db
from organizer.privacy import services
from organizer.security import public_form
from organizer.signatures.models import Signature
from organizer.signatures.tokens import signature_for_manage_token, signature_for_unsubscribe_token

bp = Blueprint("privacy", __name__, url_prefix="/s")


def _signature(token: str) -> Signature:
    signature = signature_for_manage_token(token)
    if signature is None:
        abort(404, description=_("This link is not valid. Use the link in your latest email."))
    return signature


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(signature: Signature, token: str, message: str | None = None) -> Response:
    body = render_template(
        "privacy/manage.html",
        signature=signature,
        token=token,
        data=services.stored_data(signature),
        message=message,
    )
    return _private(Response(body, mimetype="text/html"))


@bp.get("/manage/<token>")
def manage(token: str) -> ResponseReturnValue:
    return _page(_signature(token), token)


@bp.post("/manage/<token>/withdraw")
@public_form
def withdraw(token: str) -> ResponseReturnValue:
    signature = _signature(token)
    services.withdraw(signature)
    db.session.commit()
    return _page(signature, token, _("Your signature is withdrawn. It no longer counts."))


@bp.post("/manage/<token>/stop-updates")
@public_form
def stop_updates(token: str) -> ResponseReturnValue:
    signature = _signature(token)
    services.stop_updates(signature)
    db.session.commit()
    return _page(signature, token, _("You will receive no more updates about this campaign."))


@bp.get("/manage/<token>/data.json")
def download(token: str) -> ResponseReturnValue:
    signature = _signature(token)
    body = json.dumps(services.stored_data(signature), ensure_ascii=False, indent=2) + "\n"
    filename = f"signature-{signature.campaign.slug}.json"
    return _private(
        Response(
            body,
            mimetype="application/json",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str) -> ResponseReturnValue:
    """RFC 8058: mail providers POST here from their servers, with no session and no Origin;
    the signed token is the authentication. A GET only shows a button (scanners prefetch)."""
    signature = signature_for_unsubscribe_token(token)
    if signature is None:
        abort(404, description=_("This link is not valid. Use the link in your latest email."))
    if request.method == "POST":
        services.stop_updates(signature)
        db.session.commit()
        body = render_template("privacy/unsubscribed.html", signature=signature)
    else:
        body = render_template("privacy/unsubscribe.html", signature=signature, token=token)
    return _private(Response(body, mimetype="text/html"))
