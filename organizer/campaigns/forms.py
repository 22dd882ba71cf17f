"""Campaign forms. Labels and messages are lazy so they follow each request's language."""

from __future__ import annotations

from datetime import date
from typing import Any

import pycountry
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
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from organizer import i18n
from organizer.campaigns.models import AmendmentKind, Role
from organizer.campaigns.permissions import ROLE_NAMES
from organizer.campaigns.vocabulary import TOPICS, is_jurisdiction, parse_jurisdictions
from organizer.forms import Form

LANGUAGE_CODES = tuple(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


def language_choices() -> list[SelectChoice]:
    """ISO 639-1 languages, named and sorted in the reader's language."""
    named = i18n.language_choices(LANGUAGE_CODES, i18n.locale_code())
    return [SelectChoice(code, name) for code, name in named]


def language_name(code: str) -> str:
    return i18n.language_name(code)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _topics_field() -> Any:
    return CheckboxesField(
        _l("Topics"),
        choices=[SelectChoice(code, name) for code, name in TOPICS.items()],
        validate_choice=True,
    )


class CampaignForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Web address"),
        validators=[Optional(), Length(min=3, max=80)],
        description=_l(
            "The part after /c/ in the campaign's address. Leave it empty to build it from "
            "the title. It cannot change once the campaign is published."
        ),
    )
    summary = TextAreaField(
        _l("Summary"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("One or two sentences, shown in lists and when the page is shared."),
    )
    language = SelectField(_l("Language of the text"), default="en")
    signature_goal = IntegerField(
        _l("Signature goal"), validators=[Optional(), NumberRange(min=1, max=100_000_000)]
    )
    deadline = DateField(_l("Deadline"), validators=[Optional()])
    documentary_title = StringField(
        _l("Documentary title"),
        validators=[Optional(), Length(max=200)],
        description=_l("Optional: a film that screening events will show."),
    )
    documentary_runtime_minutes = IntegerField(
        _l("Documentary runtime, in minutes"), validators=[Optional(), NumberRange(min=1, max=1000)]
    )
    documentary_url = URLField(
        _l("Documentary link"),
        validators=[Optional(), URL(message=_l("Enter a web address starting with https://"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()

    def validate_deadline(self, field: DateField) -> None:
        if field.data and field.data < date.today() and field.data != field.object_data:
            raise ValidationError(_l("The deadline cannot be in the past."))

    def validate_documentary_url(self, field: URLField) -> None:
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError(_l("Enter a web address starting with https://"))

    def validate_documentary_title(self, field: StringField) -> None:
        has_details = self.documentary_url.data or self.documentary_runtime_minutes.data
        if has_details and not (field.data or "").strip():
            raise ValidationError(_l("Name the documentary, or leave all its fields empty."))


class NewCampaignForm(CampaignForm):
    group = SelectField(
        _l("Group"),
        default="",
        validate_choice=True,
        description=_l(
            "The group owns the campaign and the list of its supporters. A new group named "
            "after the campaign is made unless you choose one of yours."
        ),
    )


class MoveGroupForm(Form):
    group = SelectField(_l("Move to the group"), validate_choice=True)


class PreambleForm(Form):
    preamble = TextAreaField(
        _l("Preamble"),
        validators=[Length(max=5000)],
        description=_l("The words before the demands. Markdown is allowed."),
    )


class _Places:
    """The jurisdictions field's checks, shared by sections and demands."""

    jurisdictions: StringField

    def validate_jurisdictions(self, field: StringField) -> None:
        unknown = [c for c in parse_jurisdictions(field.data or "") if not is_jurisdiction(c)]
        if unknown:
            raise ValidationError(_l("Not a country code: %(codes)s.", codes=", ".join(unknown)))

    @property
    def jurisdiction_codes(self) -> list[str]:
        return parse_jurisdictions(self.jurisdictions.data or "")


class SectionForm(_Places, Form):
    title = StringField(_l("Section title"), validators=[DataRequired(), Length(max=300)])
    topics = _topics_field()
    jurisdictions = StringField(
        _l("Its demands concern these places"),
        validators=[Optional(), Length(max=300)],
        description=_l(
            "Demands that name no place of their own concern these. Leave empty for "
            "everywhere; otherwise country codes separated by commas (US, GB), or EU."
        ),
    )


class DemandForm(_Places, Form):
    text = TextAreaField(
        _l("Demand"),
        validators=[DataRequired(), Length(max=5000)],
        description=_l("Markdown is allowed: **bold**, *italic*, [links](https://example.org)."),
    )
    topics = _topics_field()
    jurisdictions = StringField(
        _l("Only in these places"),
        validators=[Optional(), Length(max=300)],
        description=_l(
            "Leave empty when the demand concerns everyone. Otherwise, country codes "
            "separated by commas (US, GB, FR), or EU for the European Union."
        ),
    )


class ActionForm(Form):
    """A button and a CSRF token, for moves and deletions."""


class PublishForm(Form):
    note = TextAreaField(
        _l("What changed"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Shown in the public change log."),
    )


class ImportForm(Form):
    file = FileField(
        _l("Grievance list file (JSON)"),
        validators=[FileRequired(message=_l("Choose a file to import."))],
    )
    replace = BooleanField(
        _l("Replace the current draft text"),
        validators=[DataRequired(message=_l("Confirm that the draft text will be replaced."))],
    )


class InviteForm(Form):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(),
            Email(message=_l("Enter a valid email address.")),
            Length(max=320),
        ],
    )
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(r.value, ROLE_NAMES[r]) for r in (Role.ORGANIZER, Role.MODERATOR)],
        description=_l(
            "Organizers edit the text, events and letters. Moderators handle signatures and events."
        ),
    )


class RoleForm(Form):
    """One member's role, changed from the team page."""

    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, ROLE_NAMES[r]) for r in Role])


class TransferForm(Form):
    member = SelectField(_l("New owner"), coerce=int, validate_choice=True)
    step_down = BooleanField(
        _l("Step down to organizer"),
        description=_l("You keep editing the campaign but no longer manage its team."),
    )


class AmendmentForm(Form):
    kind = RadioField(
        _l("What do you propose?"),
        choices=[
            SelectChoice(AmendmentKind.REWORD.value, _l("Reword a demand")),
            SelectChoice(AmendmentKind.ADD.value, _l("Add a demand")),
            SelectChoice(AmendmentKind.REMOVE.value, _l("Remove a demand")),
        ],
        default=AmendmentKind.REWORD.value,
    )
    demand = SelectField(_l("Demand to reword or remove"), validate_choice=False)
    section = SelectField(_l("Section for a new demand"), validate_choice=False)
    text = TextAreaField(
        _l("Proposed text"),
        validators=[Length(max=5000)],
        description=_l("For a rewording or a new demand. Markdown is allowed."),
    )
    topics = _topics_field()
    reason = TextAreaField(
        _l("Why?"),
        validators=[DataRequired(), Length(max=3000)],
        description=_l("Organizers and other supporters read this before deciding."),
    )


class DecideForm(Form):
    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("accept", _l("Accept into the next draft")),
            SelectChoice("decline", _l("Decline")),
        ],
        validators=[DataRequired()],
    )
    note = TextAreaField(
        _l("Note to the proposer and endorsers"),
        validators=[Length(max=3000)],
        description=_l("Required when you decline."),
    )
