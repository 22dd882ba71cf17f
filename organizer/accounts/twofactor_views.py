"""Two-factor login pages: the code step after the password, enrolment and switching off."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from organizer.accounts import forms, limits, sessions, twofactor
from organizer.accounts.models import User
from organizer.accounts.services import AccountError
from organizer.extensions import db, limiter
from organizer.urls import is_safe_next, safe_next

bp = Blueprint("two_factor", __name__, url_prefix="/account")
_ENROL_KEY = "two_factor_enrol_secret"


def _ip_limit() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_IP"])


def _account_limit() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"])


def _current() -> User:
    user: User = current_user._get_current_object()
    return user


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=limits.second_factor_key_of_request)
def login_code() -> ResponseReturnValue:
    user = sessions.pending_user()
    if user is None:
        if sessions.has_pending():
            flash(_("Please log in again: the time to enter the code has run out."), "info")
        return redirect(url_for("accounts.login"))
    form = forms.TwoFactorCodeForm()
    if form.validate_on_submit():
        if twofactor.check_second_factor(user, form.code.data or ""):
            target = sessions.pending_next()
            session.clear()
            sessions.start_session(user)
            db.session.commit()
            flash(_("Welcome back, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(target, "campaign_editor.dashboard"))
        form.code.errors = [_("This code is not right, or it was used already.")]
    return render_template("accounts/login_code.html", form=form)


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def setup() -> ResponseReturnValue:
    user = _current()
    if user.has_two_factor:
        return render_template(
            "accounts/two_factor.html",
            user=user,
            codes_left=twofactor.recovery_codes_left(user),
            disable_form=forms.DisableTwoFactorForm(),
        )
    form = forms.EnrolTwoFactorForm()
    # The secret waits in the signed session until a code proves the app has it.
    secret = session.get(_ENROL_KEY) or twofactor.new_secret()
    session[_ENROL_KEY] = secret
    if form.validate_on_submit():
        try:
            codes = twofactor.enable(user, secret, form.code.data or "")
        except AccountError as exc:
            form.code.errors = [str(exc)]
        else:
            db.session.commit()
            session.pop(_ENROL_KEY, None)
            return render_template("accounts/recovery_codes.html", codes=codes, next=_next())
    return render_template(
        "accounts/two_factor_enrol.html",
        form=form,
        secret=secret,
        qr_code=twofactor.qr_code_svg(user, secret),
    )


def _next() -> str | None:
    target = request.args.get("next")
    return target if target and is_safe_next(target) else None


@bp.post("/two-factor/recovery-codes")
@login_required
def new_recovery_codes() -> ResponseReturnValue:
    user = _current()
    form = forms.ConfirmForm()
    if not user.has_two_factor or not form.validate_on_submit():
        return redirect(url_for(".setup"))
    codes = twofactor.new_recovery_codes(user)
    db.session.commit()
    return render_template("accounts/recovery_codes.html", codes=codes, next=None)


@bp.post("/two-factor/off")
@login_required
def disable() -> ResponseReturnValue:
    user = _current()
    form = forms.DisableTwoFactorForm()
    if form.validate_on_submit():
        try:
            twofactor.disable(user, form.password.data or "")
        except AccountError as exc:
            form.password.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Two-factor login is off for your account."), "info")
            return redirect(url_for("accounts.settings"))
    return render_template(
        "accounts/two_factor.html",
        user=user,
        codes_left=twofactor.recovery_codes_left(user),
        disable_form=form,
    ), 400
