"""The mailing's forms: compose, languages, audience filters, and send."""

from __future__ import annotations

from typing import Any

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms import Form as PlainForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from organizer.events.times import timezone_names
from organizer.forms import Form

SUBJECT_HELP = _l('Merge fields: {{ first_name | "friend" }}.')
BODY_HELP = _l(
    'Markdown. Merge fields: {{ first_name | "friend" }}, {{ manage_url }}, '
    "{{ campaign_url:campaign-address }}. The footer (unsubscribe link, why they "
    "receive it, your postal address) is added to every message."
)


class ContentForm(PlainForm):
    language = HiddenField()
    subject = StringField(
        _l("Subject"), validators=[Optional(), Length(max=300)], description=SUBJECT_HELP
    )
    body = TextAreaField(
        _l("Message"), validators=[Optional(), Length(max=50_000)], description=BODY_HELP
    )


class ComposeForm(Form):
    from_name = StringField(_l("From name"), validators=[DataRequired(), Length(max=120)])
    reply_to = EmailField(
        _l("Reply-to address"),
        validators=[Optional(), Email(), Length(max=320)],
        description=_l("Where replies go; empty: replies are not read."),
    )
    archive_public = BooleanField(
        _l("Publish a web version"),
        description=_l("A public page with the message, without anyone's name or links."),
    )
    contents = FieldList(FormField(ContentForm))


def language_choices(exclude: set[str], first: list[str] | None = None) -> list[SelectChoice]:
    """Every language in the reader's locale, by name; ``first`` (the languages the audience
    speaks and the mailing lacks) on top, so that the likely one is preselected."""
    locale = Locale.parse(str(get_locale() or "en"))
    names = {code: name for code, name in locale.languages.items() if "_" not in code}
    ordered = sorted(((c, n) for c, n in names.items() if c not in exclude), key=lambda p: p[1])
    top = [c for c in first or () if c in names and c not in exclude]
    ordered = [(c, names[c]) for c in top] + [(c, n) for c, n in ordered if c not in top]
    return [SelectChoice(code, name) for code, name in ordered]


class AddLanguageForm(Form):
    language = SelectField(_l("Add a version in"), validators=[DataRequired()])


class ConditionForm(Form):
    kind = HiddenField(validators=[DataRequired()])
    value = StringField(validators=[Optional(), Length(max=40)])
    mode = RadioField(
        choices=[SelectChoice("include", _l("Include")), SelectChoice("exclude", _l("Exclude"))],
        default="include",
    )


class RemoveConditionForm(Form):
    mode = HiddenField(validators=[DataRequired()])
    index = IntegerField(validators=[InputRequired(), NumberRange(min=0)])


def _timezone_choices() -> list[SelectChoice]:
    return [
        SelectChoice("UTC", "UTC"),
        *(SelectChoice(n, n.replace("_", " ")) for n in timezone_names()),
    ]


class SendForm(Form):
    when = RadioField(
        choices=[
            SelectChoice("now", _l("Send now")),
            SelectChoice("later", _l("Send at a scheduled time")),
        ],
        default="now",
    )
    day = DateField(_l("Date"), validators=[Optional()])
    time = TimeField(_l("Time"), validators=[Optional()])
    timezone = SelectField(_l("Timezone"), default="Europe/Paris")
    hourly_cap = IntegerField(
        _l("At most this many an hour"),
        validators=[Optional(), NumberRange(min=1, max=1_000_000)],
        description=_l(
            "Empty: as fast as the mail server takes them. A cap spreads a large "
            "mailing over several hours."
        ),
    )
    confirm_count = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = _timezone_choices()
