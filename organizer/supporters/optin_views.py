"""The page behind the opt-in invitation: a button, because mail scanners prefetch links
(DESIGN.md decision 4)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from organizer.extensions import db
from organizer.groups.models import Group
from organizer.security import public_form
from organizer.supporters import optin
from organizer.supporters.models import Supporter

bp = Blueprint("optin", __name__, url_prefix="/subscribe")


def _supporter(token: str) -> Supporter:
    supporter = optin.supporter_for_token(token)
    if supporter is None:
        abort(404, description=_("This link is no longer valid: it was used, it expired, or "
                                 "your choice changed since it was sent."))  # fmt: skip
    return supporter


def _page(template: str, supporter: Supporter, token: str) -> Response:
    group = db.session.get(Group, supporter.group_id)
    response = Response(render_template(template, group=group, token=token), mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<token>")
def confirm(token: str) -> ResponseReturnValue:
    return _page("supporters/optin.html", _supporter(token), token)


@bp.post("/<token>")
@public_form
def accept(token: str) -> ResponseReturnValue:
    supporter = _supporter(token)
    optin.accept(supporter)
    db.session.commit()
    return _page("supporters/optin_done.html", supporter, token)
