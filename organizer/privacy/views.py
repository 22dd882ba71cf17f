"""The 'manage my signature' pages and the RFC 8058 one-click unsubscribe endpoint."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from organizer.extensions import csrf, db
from organizer.mail import feedback
from organizer.privacy import services
from organizer.security import public_form
from organizer.signatures.consents import Purpose, standing
from organizer.signatures.corrections import Details
from organizer.signatures.forms import (
    CONSENT_FIELDS,
    ConsentsForm,
    SignerDetailsForm,
    ticked_consents,
)
from organizer.signatures.models import PostalCodeMode, Signature, SignatureStatus
from organizer.signatures.settings import settings_for
from organizer.signatures.tokens import signature_for_manage_token, signature_for_unsubscribe_token
from organizer.supporters import names
from organizer.supporters.actions import actions_of
from organizer.supporters.services import consent_history

bp = Blueprint("privacy", __name__, url_prefix="/s")


def _signature(token: str) -> Signature:
    signature = signature_for_manage_token(token)
    if signature is None:
        abort(404, description=_("This link is not valid. Use the link in your latest email."))
    return signature


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _details_form(signature: Signature, **kwargs: object) -> SignerDetailsForm:
    mode = settings_for(signature.campaign).postal_code
    if mode == PostalCodeMode.OFF and signature.postal_code:
        # No longer asked, but given once: the signer may still correct or remove it.
        mode = PostalCodeMode.OPTIONAL
    return SignerDetailsForm(postal_code=mode, **kwargs)


def _page(
    signature: Signature,
    token: str,
    message: str | None = None,
    details: SignerDetailsForm | None = None,
    status: int = 200,
) -> Response:
    if details is None:
        details = _details_form(signature, formdata=None, obj=signature)
    given = standing(signature)
    group = signature.campaign.group
    choices = ConsentsForm(
        formdata=None, data={name: p in given for name, p in CONSENT_FIELDS.items()}
    ).for_group(group.name)
    supporter = services.supporter_of(signature)
    if supporter is not None and supporter.erased_at is not None:
        supporter = None
    body = render_template(
        "privacy/manage.html",
        signature=signature,
        token=token,
        data=services.stored_data(signature),
        message=message,
        details=details,
        choices=choices,
        receives_updates=Purpose.UPDATES in given
        or (supporter is not None and supporter.status == "subscribed"),
        editable=signature.status in (SignatureStatus.PENDING, SignatureStatus.CONFIRMED),
        group=group,
        supporter=supporter,
        history=consent_history(supporter) if supporter else [],
        actions=actions_of(supporter) if supporter else [],
        names=names,
    )
    return _private(Response(body, mimetype="text/html", status=status))


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
    return _page(
        signature,
        token,
        _("You will receive no more updates from %(group)s.", group=signature.campaign.group.name),
    )


@bp.post("/manage/<token>/consents")
@public_form
def change_consents(token: str) -> ResponseReturnValue:
    signature = _signature(token)
    changed = services.change_consents(signature, ticked_consents(ConsentsForm()))
    db.session.commit()
    if not changed:
        return _page(signature, token, _("Your choices are unchanged."))
    return _page(signature, token, _("Your choices are saved."))


@bp.post("/manage/<token>/details")
@public_form
def correct_details(token: str) -> ResponseReturnValue:
    signature = _signature(token)
    if signature.status not in (SignatureStatus.PENDING, SignatureStatus.CONFIRMED):
        abort(409, description=_("A withdrawn signature can no longer be changed."))
    form = _details_form(signature)
    if not form.validate():
        return _page(signature, token, details=form, status=422)
    postal = form.postal_code.data.strip() if "postal_code" in form else signature.postal_code
    details = Details(
        name=(form.name.data or "").strip(), country=form.country.data or "", postal_code=postal
    )
    changed = services.correct_details(signature, details)
    db.session.commit()
    if not changed:
        return _page(signature, token, _("Your details are unchanged."))
    return _page(signature, token, _("Your details are corrected."))


@bp.get("/manage/<token>/data.json")
def download(token: str) -> ResponseReturnValue:
    signature = _signature(token)
    data = {**services.stored_data(signature), "group_data": services.group_data(signature)}
    body = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    filename = f"signature-{signature.campaign.slug}.json"
    return _private(
        Response(
            body,
            mimetype="application/json",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    )


@bp.get("/manage/<token>/erase")
def confirm_erase(token: str) -> ResponseReturnValue:
    """The confirmation step: what erasing removes and what it keeps, before it is done."""
    signature = _signature(token)
    body = render_template(
        "privacy/erase.html", signature=signature, group=signature.campaign.group, token=token
    )
    return _private(Response(body, mimetype="text/html"))


@bp.post("/manage/<token>/erase")
@public_form
def erase(token: str) -> ResponseReturnValue:
    signature = _signature(token)
    # Read before erasing: the page afterwards names them, and the link dies with the data.
    group, campaign = signature.campaign.group, signature.campaign
    erasure = services.erase(signature)
    db.session.commit()
    body = render_template("privacy/erased.html", group=group, campaign=campaign, erasure=erasure)
    return _private(Response(body, mimetype="text/html"))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str) -> ResponseReturnValue:
    """RFC 8058: mail providers POST here from their servers, with no session and no Origin;
    the signed token is the authentication. A GET only shows a button (scanners prefetch)."""
    signature = signature_for_unsubscribe_token(token)
    if signature is None:
        abort(404, description=_("This link is not valid. Use the link in your latest email."))
    if request.method == "POST":
        services.stop_updates(signature, through="unsubscribe")
        if signature.supporter_id is not None:
            # One click leaves the whole group's list (issue 15), not this campaign only.
            feedback.unsubscribe(signature.supporter_id)
        db.session.commit()
        body = render_template("privacy/unsubscribed.html", signature=signature)
    else:
        body = render_template("privacy/unsubscribe.html", signature=signature, token=token)
    return _private(Response(body, mimetype="text/html"))
