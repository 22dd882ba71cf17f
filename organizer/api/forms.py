"""The token settings form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from organizer.forms import Form


class NewTokenForm(Form):
    label = StringField(
        _l("Label"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("Which tool or script uses it, as “Parsons sync”. Logs name it."),
    )
    write = BooleanField(
        _l("Write: add and update people, tags, signatures and RSVPs"),
        description=_l("New people come in unsubscribed; it also sees hidden addresses and "
                       "online links of screenings."),
    )  # fmt: skip
    import_ = BooleanField(
        _l("Import: add people as subscribed, with the consent text they agreed to"),
        name="import",
    )
