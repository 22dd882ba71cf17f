"""The organizer's embed settings, and the options of the snippets to copy."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import Length, ValidationError

from organizer.embeds.origins import OriginError, parse_lines
from organizer.forms import Form
from organizer.signatures.forms import PublicForm

THEME_CHOICES = [
    SelectChoice("light", _l("Light")),
    SelectChoice("dark", _l("Dark")),
    SelectChoice("none", _l("None (plain)")),
]


class EmbedSettingsForm(Form):
    anywhere = BooleanField(_l("Allow the form and the counter on any website"))
    origins = TextAreaField(
        _l("Websites allowed to show the form"),
        validators=[Length(max=20_000)],
        description=_l(
            "One origin per line: the scheme, the host and, if it is not the usual one, the "
            "port, e.g. https://partner.example.org. Browsers refuse to show the form on "
            "any other site."
        ),
    )

    def validate_origins(self, field: Any) -> None:
        try:
            self.origin_list = parse_lines(field.data or "")
        except OriginError as exc:
            raise ValidationError(str(exc)) from exc


class SnippetForm(PublicForm):
    """Read from the query string: which snippet to show. Changes nothing, so no token."""

    source = SelectField(_l("Source code"), choices=[], validate_choice=False)
    lang = SelectField(_l("Language"), choices=[], validate_choice=False)
    theme = SelectField(_l("Theme"), choices=THEME_CHOICES, validate_choice=False)
