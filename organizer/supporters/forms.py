"""Forms of the supporter tools. Labels and messages are lazy so they follow the request."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from organizer.forms import Form


class TagForm(Form):
    name = StringField(_l("New tag"), validators=[DataRequired(), Length(max=80)])


class ChooseTagForm(Form):
    tag_id = SelectField(_l("Tag"), coerce=int, validators=[DataRequired()])


class BulkTagForm(ChooseTagForm):
    action = SelectField(
        _l("Action"),
        choices=[
            SelectChoice("add", _l("Put the tag on them")),
            SelectChoice("remove", _l("Take the tag off them")),
        ],
    )


class ActionForm(Form):
    """A button's CSRF token, nothing else."""


class ImportForm(Form):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(_l("Choose a CSV file."))],
        description=_l(
            "Columns are recognized by their header: email (required), name (or first and "
            "last name), country, postal code, language, and consent (yes or no)."
        ),
    )
    consent_wording = TextAreaField(
        _l("The consent text these people agreed to"),
        validators=[Optional(), Length(max=4000)],
        description=_l(
            "Copy the exact wording of the box they ticked. It is recorded with each person "
            "whose consent column says yes."
        ),
    )
    agreed_on = DateField(
        _l("When they agreed (or the last day of the sign-ups)"), validators=[Optional()]
    )
    attest = BooleanField(
        _l(
            "I confirm that the people marked yes agreed to this text to receive this "
            "group's updates."
        )
    )
