"""Group forms. Labels and messages are lazy so they follow each request's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from organizer.forms import Form
from organizer.groups.models import GroupRole
from organizer.groups.permissions import ROLE_NAMES

ROLE_CHOICES = [SelectChoice(role.value, ROLE_NAMES[role]) for role in GroupRole]


class NewGroupForm(Form):
    name = StringField(_l("Name of the group"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Shown on the group's public page."),
    )


class SettingsForm(NewGroupForm):
    postal_address = TextAreaField(
        _l("Legal postal address"),
        validators=[Optional(), Length(max=1000)],
        description=_l(
            "Every mailing's footer carries it, as anti-spam laws require: no mailing can be "
            "sent without one. Letters to regulators use it unless a campaign sets its own."
        ),
    )


class AddMemberForm(Form):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(),
            Email(message=_l("Enter a valid email address.")),
            Length(max=320),
        ],
        description=_l("The address of their Cahier account, already verified."),
    )
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=GroupRole.ORGANIZER.value)


class RoleForm(Form):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class ActionForm(Form):
    """A button and a CSRF token."""
