"""Letter and directory forms. Labels are lazy so they follow each request's language."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from organizer.campaigns.forms import CheckboxesField
from organizer.campaigns.vocabulary import TOPICS
from organizer.db import utcnow
from organizer.forms import Form
from organizer.letters.models import BodyKind, Channel


class RegulatorForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    acronym = StringField(_l("Acronym"), validators=[Optional(), Length(max=40)])
    slug = StringField(
        _l("Identifier"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("Lowercase letters, digits and hyphens, such as fr-cnil."),
    )
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice(BodyKind.REGULATOR.value, _l("Regulator")),
            SelectChoice(BodyKind.LEGISLATURE.value, _l("Legislature or committee")),
        ],
    )
    jurisdiction = StringField(
        _l("Jurisdiction"),
        validators=[DataRequired(), Length(max=300)],
        description=_l(
            "Country codes separated by commas (US, GB, FR), or EU for the 27 member states."
        ),
    )
    topics = CheckboxesField(
        _l("Remit"),
        choices=[SelectChoice(code, name) for code, name in TOPICS.items()],
    )
    languages = StringField(
        _l("Languages"),
        validators=[Optional(), Length(max=100)],
        description=_l("ISO 639-1 codes, the body's preferred language first (fr, en)."),
    )
    website = URLField(_l("Website"), validators=[Optional(), Length(max=500)])
    contact_email = EmailField(
        _l("Contact email"),
        validators=[Optional(), Email(message=_l("Enter a valid email address.")), Length(max=320)],
        description=_l(
            "Only an address the body publishes for such letters. "
            "Without one, letters go by post or web form."
        ),
    )
    postal_address = TextAreaField(_l("Postal address"), validators=[Optional(), Length(max=1000)])
    web_form_url = URLField(_l("Web form"), validators=[Optional(), Length(max=500)])

    def validate_topics(self, field: CheckboxesField) -> None:
        # Not DataRequired: it would mark every checkbox required in the browser.
        if not field.data:
            raise ValidationError(_l("Choose at least one topic."))

    def raw(self) -> dict[str, Any]:
        return {
            "slug": self.slug.data or "",
            "name": self.name.data or "",
            "acronym": self.acronym.data or "",
            "kind": self.kind.data or "",
            "jurisdiction": self.jurisdiction.data or "",
            "topics": ";".join(self.topics.data or []),
            "website": self.website.data or "",
            "languages": self.languages.data or "",
            "contact_email": self.contact_email.data or "",
            "postal_address": self.postal_address.data or "",
            "web_form_url": self.web_form_url.data or "",
        }


class ActionForm(Form):
    """A button and a CSRF token."""


class LetterForm(Form):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    body = TextAreaField(_l("Letter"), validators=[DataRequired(), Length(max=20000)])


class SentForm(Form):
    channel = RadioField(
        _l("How was it sent?"),
        choices=[
            SelectChoice(Channel.POSTAL.value, _l("By post")),
            SelectChoice(Channel.WEB_FORM.value, _l("Through the body's web form")),
        ],
        default=Channel.POSTAL.value,
    )
    sent_on = DateField(_l("Date sent"), validators=[DataRequired()])
    note = StringField(
        _l("Note"),
        validators=[Optional(), Length(max=500)],
        description=_l("For example the tracking number or the form's receipt number."),
    )


class ResponseForm(Form):
    received_on = DateField(_l("Date received"), validators=[DataRequired()])
    summary = TextAreaField(
        _l("Summary"),
        validators=[DataRequired(), Length(max=5000)],
        description=_l(
            "Public on the campaign page. You then preview the email to signers who asked "
            "for updates and choose whether to send it."
        ),
    )
    document = FileField(
        _l("The response (PDF, optional)"),
        validators=[FileAllowed(["pdf"], _l("Upload a PDF file."))],
    )

    def __init__(self, *args: Any, sent_on: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.letter_sent_on = sent_on

    def validate_received_on(self, field: DateField) -> None:
        if field.data is None:
            return
        if field.data > utcnow().date():
            raise ValidationError(_l("The date a response arrived cannot be in the future."))
        if self.letter_sent_on is not None and field.data < self.letter_sent_on:
            raise ValidationError(
                _l(
                    "The letter was sent on %(date)s: a response cannot arrive before.",
                    date=format_date(self.letter_sent_on, "long"),
                )
            )


class SettingsForm(Form):
    signatory = StringField(
        _l("Signed by"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("The person who signs the letters, by name, as a body expects."),
    )
    organization = StringField(
        _l("Organization"),
        validators=[DataRequired(), Length(max=300)],
        description=_l("The group or association behind the campaign."),
    )
    postal_address = TextAreaField(
        _l("Return postal address"),
        validators=[DataRequired(), Length(max=1000)],
        description=_l("Printed on every letter, so that a body can answer by post."),
    )
    email = EmailField(
        _l("Return email address"),
        validators=[DataRequired(), Email(message=_l("Enter a valid email address.")),
                    Length(max=320)],
        description=_l("Printed on every letter, and the reply-to address of emailed letters."),
    )  # fmt: skip


class TriggerForm(Form):
    threshold = IntegerField(
        _l("Confirmed signatures"),
        validators=[DataRequired(), NumberRange(min=1, max=100_000_000)],
        description=_l(
            "When the campaign reaches this number, a letter goes to every routed body."
        ),
    )
