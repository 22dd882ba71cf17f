"""Site admin pages for the directory of bodies: /admin/regulators. Admins only."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from organizer.audit.services import record
from organizer.campaigns.web import current
from organizer.extensions import db
from organizer.letters import directory, forms
from organizer.letters.models import Regulator

bp = Blueprint("letters_admin", __name__, url_prefix="/admin/regulators")


@bp.before_request
@login_required
def _admins_only() -> None:
    if not current_user.is_admin:
        abort(403, description=_("Only site admins can edit the directory of bodies."))


@bp.get("")
def index() -> ResponseReturnValue:
    return render_template("letters/admin/index.html", bodies=directory.all_bodies())


def _form_page(form: forms.RegulatorForm, regulator: Regulator | None) -> ResponseReturnValue:
    if form.validate_on_submit():
        try:
            saved = directory.save(directory.parse_details(form.raw()), regulator)
        except directory.DirectoryError as exc:
            form.slug.errors = [str(exc)]
        else:
            record(current(), "regulator.saved", "regulator", saved.id, {"slug": saved.slug})
            db.session.commit()
            flash(_("%(name)s is saved.", name=saved.name), "success")
            return redirect(url_for(".index"))
    return render_template("letters/admin/form.html", form=form, regulator=regulator)


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    return _form_page(forms.RegulatorForm(), None)


@bp.route("/<slug>", methods=["GET", "POST"])
def edit(slug: str) -> ResponseReturnValue:
    regulator = directory.get(slug)
    if regulator is None:
        abort(404)
    form = forms.RegulatorForm(obj=regulator)
    if not form.is_submitted():
        form.jurisdiction.data = ", ".join(regulator.jurisdictions)
        form.languages.data = ", ".join(regulator.languages)
    return _form_page(form, regulator)
