"""Account forms. Labels and messages are lazy so they follow each request's language."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length

from organizer.accounts.models import NotificationKind
from organizer.forms import Form
from organizer.i18n import LANGUAGE_NAMES

EMAIL_MESSAGE = _l("Enter a valid email address.")


def _email_field() -> Any:
    return EmailField(
        _l("Email"),
        validators=[DataRequired(), Email(message=EMAIL_MESSAGE), Length(max=320)],
        render_kw={"autocomplete": "email"},
    )


class RegisterForm(Form):
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
        description=_l("At least 10 characters. Passwords that are easy to guess are refused."),
    )


class LoginForm(Form):
    email = _email_field()
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )


class ForgotPasswordForm(Form):
    email = _email_field()


class ResetPasswordForm(Form):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 10 characters. Passwords that are easy to guess are refused."),
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


class ConfirmForm(Form):
    """A button and a CSRF token: links in emails lead to a page, only the POST acts."""


class SettingsForm(Form):
    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice(code, name, {"lang": code}) for code, name in LANGUAGE_NAMES.items()],
    )


class NotificationsForm(Form):
    """One checkbox per NotificationKind, each field named by the kind's value."""

    pledge = BooleanField(_l("A pledge triggers or lapses"))
    milestone = BooleanField(_l("A campaign reaches a milestone"))
    screening = BooleanField(_l("A screening awaits approval"))
    letter_response = BooleanField(_l("A letter gets a response"))

    def choices(self) -> dict[NotificationKind, bool]:
        return {kind: bool(self[kind.value].data) for kind in NotificationKind}


class TwoFactorCodeForm(Form):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True},
        description=_l("The 6 digits your authenticator app shows, or one of your recovery codes."),
    )


class EnrolTwoFactorForm(Form):
    code = StringField(
        _l("Code from the app"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
        description=_l("The 6 digits your authenticator app shows now."),
    )


class DisableTwoFactorForm(Form):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
