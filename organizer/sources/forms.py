"""The team's forms for source codes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from organizer.forms import Form
from organizer.sources.codes import CODE_PATTERN

CODE_RULE = _l(
    "Use 1 to 32 lowercase letters, digits and hyphens, starting with a letter or a digit."
)


class SourceCodeForm(Form):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=32), Regexp(CODE_PATTERN, message=CODE_RULE)],
        description=_l("It goes in your links as ?source=…, e.g. “newsletter” or “stall-lyon”."),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    label = StringField(
        _l("What it stands for (only the team sees this)"),
        validators=[Optional(), Length(max=120)],
    )


class DeleteCodeForm(Form):
    """A button and a CSRF token."""
