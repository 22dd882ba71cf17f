"""The coalition's forms: the invitation, the partner's site and logo, and plain buttons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from organizer.forms import Form


class InviteForm(Form):
    slug = StringField(
        _l("The group's address"),
        validators=[DataRequired(_l("Give the group's address.")), Length(max=80)],
        description=_l(
            "The last part of the group's public page, e.g. “friends-of-the-earth” for "
            "/groups/friends-of-the-earth."
        ),
    )


class OriginForm(Form):
    origin = StringField(
        _l("Your site"),
        validators=[Length(max=255)],
        description=_l(
            "Where you embed the sign form, such as https://example.org: the campaign's "
            "form may then be framed there. Leave it empty for none."
        ),
    )


class LogoForm(Form):
    logo = FileField(
        _l("Logo (PNG or JPEG, at most 512 KB)"),
        validators=[FileRequired(_l("Choose a PNG or JPEG file."))],
    )


class ActionForm(Form):
    """A button and a CSRF token."""
