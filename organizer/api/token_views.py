"""The group's API tokens page: create (shown once) and revoke. Owners only."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from organizer.api import tokens
from organizer.api.forms import NewTokenForm
from organizer.api.models import ApiScope, ApiToken
from organizer.extensions import db
from organizer.groups.forms import ActionForm
from organizer.groups.models import Group
from organizer.groups.permissions import GroupPermission, group_by_slug_or_404, require_group

bp = Blueprint("api_tokens", __name__)


def _group(slug: str) -> Group:
    group = group_by_slug_or_404(slug)
    require_group(current_user, group, GroupPermission.MANAGE_API)
    return group


def _page(group: Group, form: NewTokenForm, created: tuple[ApiToken, str] | None = None
          ) -> ResponseReturnValue:  # fmt: skip
    response = make_response(render_template(
        "api/tokens.html", group=group, form=form, tokens=tokens.tokens_of(group),
        created=created, action_form=ActionForm(), scope_names=scope_names(),
    ))  # fmt: skip
    # The page may carry a token in clear: no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


def scope_names() -> dict[str, str]:
    return {ApiScope.READ: _("read"), ApiScope.WRITE: _("write"), ApiScope.IMPORT: _("import")}


@bp.route("/organize/groups/<slug>/api", methods=["GET", "POST"], endpoint="index")
@login_required
def index(slug: str) -> ResponseReturnValue:
    group = _group(slug)
    form = NewTokenForm()
    if not form.validate_on_submit():
        return _page(group, form)
    scopes = [ApiScope.READ]
    scopes += [ApiScope.WRITE] if form.write.data else []
    scopes += [ApiScope.IMPORT] if form.import_.data else []
    token, plaintext = tokens.create_token(group, form.label.data or "", scopes, current_user)
    db.session.commit()
    # Rendered, not redirected: the token must not travel in a session cookie.
    return _page(group, NewTokenForm(formdata=None), created=(token, plaintext))


@bp.post("/organize/groups/<slug>/api/<int:token_id>/revoke")
@login_required
def revoke(slug: str, token_id: int) -> ResponseReturnValue:
    group = _group(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    token = tokens.token_of_group(group, token_id)
    if token is None:
        abort(404)
    if tokens.revoke(token, current_user):
        db.session.commit()
        flash(_("The token “%(label)s” is revoked: within a second, it no longer works anywhere.",
                label=token.label),
              "success")  # fmt: skip
    else:
        flash(_("The token “%(label)s” was already revoked.", label=token.label), "info")
    return redirect(url_for(".index", slug=group.slug))
