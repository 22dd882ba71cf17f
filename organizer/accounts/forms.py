"""Account forms. Labels and messages are lazy so they follow each request's language."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from organizer.i18n import LANGUAGE_NAMES

EMAIL_MESSAGE = _l("Enter a valid email address.")


def _email_field() -> Any:
    return EmailField(
        _l("Email"),
        validators=[DataRequired(), Email(message=EMAIL_MESSAGE), Length(max=320)],
        render_kw={"autocomplete": "email"},
    )


class RegisterForm(FlaskForm):
    display_name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=120)],
        render_kw={"autocomplete": "name"},
        description=_l("Shown to your fellow organizers."),
    )
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 10 characters. Common passwords are refused."),
    )


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )


class ForgotPasswordForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 10 characters. Common passwords are refused."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )


class ConfirmForm(FlaskForm):
    """A button and a CSRF token: links in emails lead to a page, only the POST acts."""


class SettingsForm(FlaskForm):
    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice(code, name, {"lang": code}) for code, name in LANGUAGE_NAMES.items()],
    )
