"""Signature forms. The public ones carry no CSRF token: @public_form checks the origin, so
the campaign page stays identical for every visitor and sets no cookie."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Self

from flask import request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import Choice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget, Select, html_params

from organizer.forms import Form
from organizer.signatures.canonical import EmailRefused, parse_address
from organizer.signatures.consents import Purpose
from organizer.signatures.countries import countries
from organizer.signatures.models import PostalCodeMode
from organizer.signatures.signing import Signer

if TYPE_CHECKING:
    from organizer.partners.lines import PartnerLine

POSTAL_CODE_MODES = [
    SelectChoice(PostalCodeMode.OFF.value, _l("Do not ask")),
    SelectChoice(PostalCodeMode.OPTIONAL.value, _l("Ask, optional")),
    SelectChoice(PostalCodeMode.REQUIRED.value, _l("Ask, required")),
]


def _language() -> str:
    return str(get_locale() or "en").split("_")[0]


@lru_cache(maxsize=16)
def _country_choices(language: str) -> tuple[SelectChoice, ...]:
    return tuple(SelectChoice(code, name) for code, name in countries(language))


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    return frozenset(code for code, _name in countries("en"))


@lru_cache(maxsize=256)
def _country_options(language: str, placeholder: str, selected: str | None) -> Markup:
    """The options WTForms' Select renders for these choices, rendered once: the ~250 of
    them were a fifth of the campaign page's CPU. Keyed by the value (or None) a form holds,
    so an invalid value costs a bounded entry."""
    choices = [("", placeholder), *((c.value, c.label) for c in _country_choices(language))]
    return Markup("").join(
        Select.render_option(Choice(value, label, value == selected, {}))
        for value, label in choices
    )


class CountrySelect(Select):
    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        if field.language is None:
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        for flag in self.validation_attrs:
            if flag not in kwargs and getattr(field.flags, flag, False):
                kwargs[flag] = getattr(field.flags, flag)
        options = _country_options(field.language, str(field.placeholder), field.data)
        # html_params escapes every value, as in WTForms' own Select.
        attributes = Markup(html_params(name=field.name, **kwargs))  # noqa: S704
        return Markup("<select %s>%s</select>") % (attributes, options)


class CountryField(SelectField):
    """A select of every country, built once per language rather than on every request.

    WTForms checks a choice by building all ~250 options, which was a millisecond of every
    signature: a set lookup gives the same answer.
    """

    widget = CountrySelect()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language: str | None = None
        self.placeholder: Any = ""

    def use_language(self, language: str, placeholder: Any) -> None:
        """The placeholder, then every country named in ``language``."""
        self.language, self.placeholder = language, placeholder
        self.choices = [SelectChoice("", placeholder), *_country_choices(language)]

    def pre_validate(self, form: Any) -> None:
        # An empty choice is the placeholder: DataRequired says what is missing.
        if self.data and self.data not in country_codes():
            raise ValidationError(str(_l("Not a valid choice.")))


class PublicForm(Form):
    class Meta:
        csrf = False


class SignerDetailsForm(PublicForm):
    """Who signs: asked on the sign form, corrected on the manage page, validated alike."""

    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    country = CountryField(_l("Country"), validators=[DataRequired()])
    postal_code = StringField(_l("Postal code"), validators=[Optional(), Length(max=16)])

    def __init__(
        self, *args: Any, postal_code: PostalCodeMode = PostalCodeMode.OFF, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.postal_mode = postal_code
        self.country.use_language(_language(), _l("Choose your country"))
        if postal_code == PostalCodeMode.OFF:
            del self.postal_code
        elif postal_code == PostalCodeMode.REQUIRED:
            self.postal_code.validators = [
                DataRequired(message=_l("Enter your postal code.")),
                Length(max=16),
            ]


class ConsentsForm(PublicForm):
    show_name = BooleanField(_l("Show my name on the public list of signers."))
    receive_updates = BooleanField(_l("Send me updates from the organizers of this campaign."))
    name_to_authorities = BooleanField(_l("Include my name in letters to the authorities."))

    def for_group(self, group_name: str) -> Self:
        """The updates box names whose updates they are: the campaign's group's (issue 15).
        Bump consents.TEXT_VERSIONS["updates"] whenever this wording changes."""
        if "receive_updates" in self:
            self.receive_updates.label.text = _l(
                "Send me updates from %(group)s.", group=group_name
            )
        return self


class PartnerConsentsField(SelectMultipleField):
    """One unticked box per active coalition partner. A box whose partner left since the
    page was shown is dropped rather than refused: the visitor did nothing wrong."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        offered = {str(choice[0]) for choice in self.choices or []}
        ticked: list[Any] = list(getattr(self, "data", None) or [])
        self.data = [value for value in ticked if str(value) in offered]


class SignForm(SignerDetailsForm, ConsentsForm):
    email = EmailField(
        _l("Your email"),
        validators=[DataRequired(), Length(max=320)],
        description=_l("We send you a link to confirm your signature."),
    )
    # Hidden from people by CSS; bots fill every field they find.
    website = StringField(_l("Leave this field empty"))
    partners = PartnerConsentsField(_l("Coalition partners"), choices=[])

    def with_partners(self, lines: Iterable[PartnerLine]) -> Self:
        """The campaign's partners' lines, "Keep me informed by <partner>", unticked."""
        self.partners.choices = [
            (str(line.partner_id), _l("Keep me informed by %(partner)s.", partner=line.name))
            for line in lines
        ]
        return self


# Each consent box on the sign form and the purpose it records.
CONSENT_FIELDS = {
    "show_name": Purpose.PUBLIC_LIST,
    "receive_updates": Purpose.UPDATES,
    "name_to_authorities": Purpose.NAME_TO_AUTHORITIES,
}


def ticked_consents(form: Form) -> frozenset[str]:
    ticked: set[str] = {
        purpose for name, purpose in CONSENT_FIELDS.items() if name in form and form[name].data
    }
    if "partners" in form:
        offered = {str(choice[0]) for choice in form["partners"].choices or []}
        ticked |= {f"partner:{v}" for v in form["partners"].data or [] if str(v) in offered}
    return frozenset(ticked)


def signer_from(form: Form, locale: str, source: str | None) -> Signer | None:
    """The signer a sign form describes, or None with the reason set on the email field.
    The request gives the IP and the challenge's solution; the caller, the language and
    the source (the embed takes both from its own parameters)."""
    try:
        address = parse_address(form["email"].data or "")
    except EmailRefused as exc:
        form["email"].errors = [str(exc)]
        return None
    postal = (form["postal_code"].data or "").strip() if "postal_code" in form else None
    return Signer(
        name=(form["name"].data or "").strip(),
        address=address,
        country=form["country"].data or "",
        postal_code=postal,
        consents=ticked_consents(form),
        locale=locale,
        ip=request.remote_addr,
        honeypot=form["website"].data or "",
        solution=request.form.get("altcha", ""),
        source=source,
    )


class SettingsForm(Form):
    postal_code = SelectField(_l("Postal code on the sign form"), choices=POSTAL_CODE_MODES)
    notify_signers_on_milestones = BooleanField(
        _l("Email the signers who asked for updates when a milestone is reached.")
    )


class MilestoneForm(Form):
    threshold = IntegerField(
        _l("Signatures"), validators=[DataRequired(), NumberRange(min=1, max=100_000_000)]
    )


class OfflineBatchForm(Form):
    # The range and the date are the rules of organizer.signatures.offline, shown per field.
    count = IntegerField(_l("Number of paper signatures"), validators=[InputRequired()])
    collected_on = DateField(_l("Collected on"), validators=[DataRequired()])
    countries = TextAreaField(
        _l("Signatures by country (optional)"),
        validators=[Optional(), Length(max=5000)],
        description=_l(
            "One line per country: its name or two-letter code, then the number, e.g. “FR 120”. "
            "The numbers must add up to the batch. Leave it empty if nobody noted the "
            "countries: the batch then counts toward the goal but is sent to no country's "
            "authorities."
        ),
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Where they were collected, and where the sheets are kept."),
    )


class PledgeForm(Form):
    text = TextAreaField(
        _l("The pledge"),
        validators=[DataRequired(), Length(max=1000)],
        description=_l(
            "What each supporter will do, e.g. 'I will log out of Facebook from 25 May to 1 June'."
        ),
    )
    threshold = IntegerField(
        _l("How many people must commit"),
        validators=[DataRequired(), NumberRange(min=2, max=100_000_000)],
    )
    deadline = DateField(_l("Deadline"), validators=[DataRequired()])


class ModerationFilterForm(PublicForm):
    """Read from the query string for the preview, then posted with a token to apply."""

    domain = StringField(_l("Email domain"), validators=[Optional(), Length(max=255)])
    ip_hmac = StringField(_l("IP hash"), validators=[Optional(), Length(max=64)])
    postal_code = StringField(_l("Postal code"), validators=[Optional(), Length(max=16)])
    country = StringField(_l("Country code"), validators=[Optional(), Length(max=2)])
    since = DateField(_l("Signed from (day)"), validators=[Optional()])
    until = DateField(_l("Signed until (day)"), validators=[Optional()])
    suspects_only = BooleanField(_l("Only suspect signatures"))


class ApplyInvalidationForm(Form):
    """Applying a previewed invalidation: why, and a deliberate yes."""

    reason = TextAreaField(
        _l("Reason (kept in the audit log)"), validators=[DataRequired(), Length(max=500)]
    )
    confirm = BooleanField(
        _l("I have checked the list: invalidate these signatures."),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


class ActionForm(Form):
    """A button and a CSRF token."""
