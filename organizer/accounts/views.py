"""Account pages under /account. Thin: forms in, services do the work, one commit here."""

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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from organizer.accounts import forms, limits, notifications, services, sessions
from organizer.accounts.models import User
from organizer.extensions import db, limiter
from organizer.urls import is_safe_next, safe_next

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _ip_limit() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_IP"])


def _account_limit() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"])


def _email_limit() -> str:
    return str(current_app.config["ACCOUNT_EMAIL_LIMIT_PER_IP"])


def _account_key() -> str:
    return limits.login_account_key_of_request()


def _locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _next_path() -> str | None:
    """The ``next`` given to this page, when it is a path on this site (it travels through
    registration and the verification email, e.g. back to an invitation)."""
    target = request.args.get("next")
    return target if target and is_safe_next(target) else None


def _current() -> User:
    user: User = current_user._get_current_object()
    return user


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_email_limit, methods=["POST"])
def register() -> ResponseReturnValue:
    form = forms.RegisterForm(email=request.args.get("email", ""))
    if form.validate_on_submit():
        try:
            services.register(
                form.display_name.data or "",
                form.email.data or "",
                form.password.data or "",
                _locale(),
                next_path=_next_path(),
            )
        except services.AccountError as exc:
            form.password.errors = [str(exc)]
        else:
            db.session.commit()
            return render_template("accounts/check_email.html", email=form.email.data)
    return render_template("accounts/register.html", form=form)


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify(token: str) -> ResponseReturnValue:
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        user = services.verify_email(token)
        if user is None:
            return render_template("accounts/link_invalid.html"), 400
        db.session.commit()
        flash(_("Your email address is verified. You can log in."), "success")
        return redirect(url_for("accounts.login", next=_next_path()))
    return render_template("accounts/verify.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"])
@limiter.limit(
    _account_limit, methods=["POST"], key_func=_account_key, on_breach=limits.log_lockout
)
def login() -> ResponseReturnValue:
    form = forms.LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            form.password.errors = [_("This email and password do not match an account.")]
        elif not user.is_verified:
            services.send_verification(user, _next_path())
            db.session.commit()
            form.email.errors = [_("Verify your email address first: we have sent you a new link.")]
        elif user.has_two_factor:
            db.session.commit()
            # Not logged in yet: the code step starts the session once the code is right.
            sessions.begin_second_step(user, _next_path())
            return redirect(url_for("two_factor.login_code"))
        else:
            db.session.commit()
            # A fresh session on login, so that nothing planted before it survives.
            session.clear()
            sessions.start_session(user)
            db.session.commit()
            flash(_("Welcome back, %(name)s.", name=user.display_name), "success")
            # Accounts are for organizing: "Your campaigns" is where the work starts.
            return redirect(safe_next(request.args.get("next"), "campaign_editor.dashboard"))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    sessions.end_session()
    db.session.commit()
    flash(_("You are logged out."), "info")
    # e.g. the login page, when an invitation asks to log in as another address
    return redirect(safe_next(request.form.get("next")))


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere() -> ResponseReturnValue:
    sessions.end_every_session(_current())
    db.session.commit()
    flash(_("You are logged out on every device, this one included."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_email_limit, methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        services.defer_password_reset(form.email.data or "", _locale())
        db.session.commit()
        return render_template("accounts/reset_sent.html")
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data or "")
        except services.AccountError as exc:
            form.password.errors = [str(exc)]
        else:
            if user is None:
                return render_template("accounts/link_invalid.html"), 400
            db.session.commit()
            flash(_("Your password is changed. You can log in with it."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        user = _current()
        try:
            services.change_password(
                user, form.current_password.data or "", form.password.data or ""
            )
        except services.AccountError as exc:
            form.password.errors = [str(exc)]
        else:
            db.session.commit()
            # This session carries the new version; every other one is now refused.
            sessions.start_session(user)
            db.session.commit()
            flash(_("Your password is changed. Your other sessions are logged out."), "success")
            return redirect(url_for("accounts.settings"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> ResponseReturnValue:
    user = _current()
    form = forms.SettingsForm(locale=user.locale)
    if form.validate_on_submit():
        services.set_locale(user, form.locale.data or "en")
        db.session.commit()
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("accounts.settings"))
    chosen = notifications.preferences(user)
    return render_template(
        "accounts/settings.html",
        form=form,
        user=user,
        notifications_form=forms.NotificationsForm(data={k.value: v for k, v in chosen.items()}),
    )


@bp.post("/settings/notifications")
@login_required
def notification_settings() -> ResponseReturnValue:
    form = forms.NotificationsForm()
    if form.validate_on_submit():
        notifications.set_preferences(_current(), form.choices())
        db.session.commit()
        flash(_("Your email choices are saved."), "success")
    else:
        flash(_("Your email choices could not be saved. Please try again."), "error")
    return redirect(url_for("accounts.settings") + "#notifications")
