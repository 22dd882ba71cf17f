"""Event forms. Labels and messages are lazy so they follow each request's language.

Anonymous guests post the RSVP and manage forms, so these carry no CSRF token and the pages
set no cookie (``@public_form``). They are still Flask-WTF forms, so that their error
messages come in the guest's language.
"""

from __future__ import annotations

from typing import Any

from babel import Locale
from flask import current_app
from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from organizer.events.models import EventMode, ResourceKind, Visibility
from organizer.events.times import timezone_names
from organizer.forms import Form

MODE_NAMES = {
    EventMode.IN_PERSON: _l("In person"),
    EventMode.ONLINE: _l("Online"),
    EventMode.HYBRID: _l("In person and online"),
}
VISIBILITY_NAMES = {
    Visibility.PUBLIC: _l("Public: listed on the campaign's screenings page"),
    Visibility.UNLISTED: _l("Unlisted: only people with the link find it"),
}
RESOURCE_NAMES = {
    ResourceKind.DISCUSSION: _l("Discussion guide"),
    ResourceKind.TECHNICAL: _l("Technical guide"),
}


def country_choices(blank: Any = "") -> list[SelectChoice]:
    locale = Locale.parse(str(get_locale() or "en"))
    names = {code: name for code, name in locale.territories.items() if len(code) == 2}
    names.pop("ZZ", None)
    ordered = sorted(names.items(), key=lambda item: item[1])
    return [SelectChoice("", blank), *(SelectChoice(code, name) for code, name in ordered)]


def _timezone_choices() -> list[SelectChoice]:
    return [
        SelectChoice("UTC", "UTC"),
        *(SelectChoice(n, n.replace("_", " ")) for n in timezone_names()),
    ]


class EventForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=5000)],
        description=_l("What you will show, and how the discussion will go."),
    )  # fmt: skip
    start_date = DateField(_l("Date"), validators=[DataRequired()])
    start_time = TimeField(_l("Starts at"), validators=[DataRequired()])
    end_date = DateField(_l("Ends on"), validators=[DataRequired()])
    end_time = TimeField(_l("Ends at"), validators=[DataRequired()])
    timezone = SelectField(_l("Timezone"), default="Europe/Paris")
    mode = RadioField(
        _l("Where"),
        choices=[SelectChoice(m.value, label) for m, label in MODE_NAMES.items()],
        default=EventMode.IN_PERSON.value,
    )
    venue_name = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    street_address = StringField(_l("Street address"), validators=[Optional(), Length(max=300)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    postal_code = StringField(_l("Postal code"), validators=[Optional(), Length(max=20)])
    country = SelectField(_l("Country"), validators=[Optional()])
    nearest_city = StringField(
        _l("Nearest listed city"), validators=[Optional(), Length(max=120)],
        description=_l("Only if your city is not in our list: the screening is found near it."),
    )  # fmt: skip
    is_home = BooleanField(
        _l("This is a private home"),
        description=_l("The street address is then shown only to confirmed guests."),
    )
    online_link = URLField(
        _l("Online link"), validators=[Optional(), Length(max=500)],
        description=_l("Only confirmed guests see it."),
    )  # fmt: skip
    capacity = IntegerField(
        _l("Capacity"), validators=[InputRequired(), NumberRange(min=1, max=100_000)],
        description=_l("How many people, counting everyone each guest brings."),
    )  # fmt: skip
    visibility = RadioField(
        _l("Who can find it"),
        choices=[SelectChoice(v.value, label) for v, label in VISIBILITY_NAMES.items()],
        default=Visibility.PUBLIC.value,
    )
    accessibility_notes = TextAreaField(
        _l("Accessibility"), validators=[Optional(), Length(max=2000)],
        description=_l("Step-free access, subtitles, hearing loop, quiet space…"),
    )  # fmt: skip
    # Asked only when the time occurs twice in the zone (the night the clocks go back).
    fold = RadioField(_l("Which one?"), choices=[], validate_choice=False, validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = _timezone_choices()
        self.country.choices = country_choices(_l("Choose a country"))

    @property
    def fold_value(self) -> int | None:
        return int(self.fold.data) if self.fold.data in ("0", "1") else None


class HostEventForm(EventForm):
    accept_terms = BooleanField(
        _l("I accept the screening terms above."),
        validators=[DataRequired(message=_l("Accept the terms to register the screening."))],
    )
    terms_version = IntegerField(validators=[Optional()])


class PublicForm(Form):
    class Meta:
        csrf = False


def _party_size_field(label: Any = None) -> IntegerField:
    return IntegerField(
        label or _l("How many people, you included"), default=1,
        validators=[InputRequired(), PartyRange()],
        render_kw={"inputmode": "numeric", "min": 1},
    )  # fmt: skip


class PartyRange(NumberRange):
    """1 to the server's maximum party, read per request so the form and the rules agree."""

    def __init__(self) -> None:
        super().__init__(min=1)

    def __call__(self, form: Any, field: Any) -> None:
        self.max = max_party_size()
        # The very words the rules use (rsvp._check_party), in the reader's language.
        self.message = ngettext(
            "A party is at most %(num)d person.", "A party is 1 to %(num)d people.", self.max
        )
        super().__call__(form, field)


def max_party_size() -> int:
    return int(current_app.config["EVENT_MAX_PARTY_SIZE"])


class RSVPForm(PublicForm):
    name = StringField(
        _l("Your name"), validators=[DataRequired(), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )  # fmt: skip
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Email(message=_l("Enter a valid email address.")),
                    Length(max=320)],
        render_kw={"autocomplete": "email"},
    )  # fmt: skip
    party_size = _party_size_field()
    # Set by the "join the waitlist" button, once the guest has read that places are short.
    accept_waitlist = BooleanField(default=False)


class PartySizeForm(PublicForm):
    party_size = _party_size_field()


class CancelRSVPForm(PublicForm):
    confirm = BooleanField()


RECIPIENT_NAMES = {
    "going": _l("Guests who are going"),
    "waitlisted": _l("Guests on the waitlist"),
    "all": _l("Everyone: going and waitlisted"),
}


class MessageForm(Form):
    recipients = RadioField(
        _l("Send to"), default="going",
        choices=[SelectChoice(k, label) for k, label in RECIPIENT_NAMES.items()],
    )  # fmt: skip
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=150)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=5000)])


class FollowUpForm(Form):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=150)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=5000)])


class AddGuestForm(Form):
    name = StringField(_l("Guest's name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("Guest's email"),
        validators=[DataRequired(), Email(message=_l("Enter a valid email address.")),
                    Length(max=320)],
    )  # fmt: skip
    party_size = _party_size_field(_l("People in the party"))


class NoticeForm(Form):
    rsvp_digest = RadioField(
        _l("Tell me about new RSVPs"), default="0",
        choices=[SelectChoice("0", _l("By email, as each one arrives")),
                 SelectChoice("1", _l("In one email a day"))],
    )  # fmt: skip


class CancelEventForm(Form):
    reason = TextAreaField(
        _l("Reason (sent to your guests)"), validators=[Optional(), Length(max=1000)]
    )


class ReportForm(Form):
    attendee_count = IntegerField(
        _l("How many people came"), validators=[InputRequired(), NumberRange(min=0, max=1_000_000)]
    )
    notes = TextAreaField(
        _l("Notes"), validators=[Optional(), Length(max=5000)],
        description=_l("How the discussion went, what people asked, what they will do next."),
    )  # fmt: skip


class DecisionForm(Form):
    note = TextAreaField(_l("Note to the host"), validators=[Optional(), Length(max=1000)])


class SettingsForm(Form):
    terms_text = TextAreaField(
        _l("Screening terms"), validators=[DataRequired(), Length(max=10_000)],
        description=_l("Hosts accept this text. Changing it creates a new version."),
    )  # fmt: skip
    require_approval = BooleanField(_l("Organizers approve each screening before it is listed"))


class ResourceForm(Form):
    kind = SelectField(
        _l("Guide"), choices=[SelectChoice(k.value, label) for k, label in RESOURCE_NAMES.items()]
    )
    file = FileField(_l("PDF file"), validators=[FileRequired()])


class ConfirmForm(Form):
    """A button and a CSRF token, for logged-in actions."""
