"""Reading a write request: the body (with Parsons' form-encoded PUTs), the person hash as
our fields, source codes and custom fields. Every refusal is a WriteError with a message."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from babel import Locale, UnknownLocaleError
from flask import request
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _n
from pydantic import BaseModel, ValidationError

from organizer.api.serializers import split_name
from organizer.api.write_models import EmailAddressIn, PersonIn
from organizer.signatures.canonical import Address, EmailRefused, parse_address
from organizer.signatures.countries import is_country
from organizer.sources.codes import CODE_PATTERN

M = TypeVar("M", bound=BaseModel)

CUSTOM_FIELDS_MAX = 100
CUSTOM_KEY_MAX = 100
CUSTOM_VALUE_MAX = 2000
SOURCE_MAX = 32  # the source column's width, as CODE_PATTERN bounds it
SUBSCRIBED = "subscribed"
UNSUBSCRIBED = "unsubscribed"
# Action Network's other email statuses: a client moving a list over sends them. The
# current ones mean "no mail"; the "previous" ones say nothing about consent now.
_MEANS_UNSUBSCRIBED = {UNSUBSCRIBED, "bouncing", "spam complaint"}
_SAYS_NOTHING = {"previous bounce", "previous spam complaint"}


class WriteError(Exception):
    """A request the rules refuse: the HTTP status and a message for the client."""

    def __init__(self, status: int, message: object) -> None:
        super().__init__(str(message))
        self.status = status
        self.message = str(message)


def read_body(*, form_fallback: bool = False) -> dict[str, Any]:
    """The body as a dict. ``form_fallback``: Parsons' update_signature/update_attendance
    form-encode their dict under a JSON content type; read such a body as form fields."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        if not form_fallback:
            raise WriteError(400, _l("The body is not JSON.")) from None
        data = _form_fields(raw)
    if not isinstance(data, dict):
        raise WriteError(400, _l("The body must be a JSON object."))
    if _has_nul(data):
        # PostgreSQL cannot store NUL in text: refused here rather than failing the query.
        raise WriteError(400, _l("The body holds a NUL character."))
    return data


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _form_fields(raw: bytes) -> dict[str, str]:
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        raise WriteError(400, _l("The body is neither JSON nor form fields.")) from None
    return dict(pairs)


def parse(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise WriteError(
            400, _l("%(field)s: %(problem)s", field=where, problem=first["msg"])
        ) from None


@dataclass(frozen=True)
class PersonInput:
    """What a person hash says, in our fields; None where it says nothing."""

    address: Address | None
    # OSDI's two name fields, None where the request left one out.
    given_name: str | None
    family_name: str | None
    country: str | None
    postal_code: str | None
    language: str | None
    status: str | None  # SUBSCRIBED, UNSUBSCRIBED, or None: no change asked
    custom_fields: dict[str, str] = field(default_factory=dict)


def person_input(person: PersonIn, email: str | EmailAddressIn | None = None) -> PersonInput:
    chosen = _chosen_email(person, email)
    address = None
    if chosen is not None:
        try:
            address = parse_address(chosen.address)
        except EmailRefused as exc:
            raise WriteError(400, exc) from None
    postal = next((p for p in person.postal_addresses if p.primary), None) or next(
        iter(person.postal_addresses), None
    )
    return PersonInput(
        address=address,
        given_name=_name_part(person.given_name),
        family_name=_name_part(person.family_name),
        country=_country(postal.country if postal else None),
        postal_code=(postal.postal_code or "").strip()[:16] or None if postal else None,
        language=_language(person.languages_spoken),
        status=_status(chosen.status if chosen else None),
        custom_fields=custom_fields(person.custom_fields),
    )


def _chosen_email(person: PersonIn, email: str | EmailAddressIn | None) -> EmailAddressIn | None:
    if isinstance(email, str):
        return EmailAddressIn(address=email)
    if email is not None:
        return email
    primary = [e for e in person.email_addresses if e.primary]
    return next(iter(primary or person.email_addresses), None)


def _name_part(value: str | None) -> str | None:
    return None if value is None else " ".join(value.split())


def merged_name(person: PersonInput, existing: str) -> str:
    """Our one name field after the request: a part it left out stays as it was, so that
    sending only ``family_name`` does not drop the given name."""
    old_given, old_family = split_name(existing)
    given = old_given if person.given_name is None else person.given_name
    family = old_family if person.family_name is None else person.family_name
    return " ".join(part for part in (given, family) if part)


def _country(value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    code = value.strip().upper()
    if not is_country(code):
        raise WriteError(400, _l("%(value)s is not an ISO 3166-1 country code.", value=value))
    return code


def _language(spoken: list[str]) -> str | None:
    for value in spoken:
        try:
            return str(Locale.parse(value.strip().replace("-", "_")).language)
        except (ValueError, UnknownLocaleError, TypeError):
            raise WriteError(400, _l("%(value)s is not a language code.", value=value)) from None
    return None


def _status(value: str | None) -> str | None:
    if value is None or value.strip().lower() in _SAYS_NOTHING:
        return None
    wanted = value.strip().lower()
    if wanted == SUBSCRIBED:
        return SUBSCRIBED
    if wanted in _MEANS_UNSUBSCRIBED:
        return UNSUBSCRIBED
    raise WriteError(400, _l("%(value)s is not an email status.", value=value))


def custom_fields(given: dict[str, Any]) -> dict[str, str]:
    """Action Network's custom fields hold strings: numbers and booleans become strings."""
    if len(given) > CUSTOM_FIELDS_MAX:
        raise WriteError(400, _n("A person has at most %(num)d custom field.",
                                 "A person has at most %(num)d custom fields.",
                                 CUSTOM_FIELDS_MAX))  # fmt: skip
    stored: dict[str, str] = {}
    for key, value in given.items():
        if not key.strip() or len(key) > CUSTOM_KEY_MAX:
            raise WriteError(400, _n("A custom field needs a name of at most %(num)d "
                                     "character.", "A custom field needs a name of 1 to "
                                     "%(num)d characters.", CUSTOM_KEY_MAX))  # fmt: skip
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (str, int, float)):
            text = str(value)
        elif value is None:
            text = ""
        else:
            raise WriteError(400, _l("The custom field %(name)s must be text or a number.",
                                     name=key))  # fmt: skip
        if len(text) > CUSTOM_VALUE_MAX:
            raise WriteError(400, _n("The custom field %(name)s is longer than %(num)d "
                                     "character.", "The custom field %(name)s is longer than "
                                     "%(num)d characters.", CUSTOM_VALUE_MAX,
                                     name=key))  # fmt: skip
        stored[key] = text
    return stored


def source_code(value: str | None) -> str | None:
    """``action_network:referrer_data.source`` as a code we keep, or a refusal."""
    if value is None or not value.strip():
        return None
    code = value.strip().lower()
    if CODE_PATTERN.match(code) is None:
        raise WriteError(
            400,
            _n("A source is a short code of lowercase letters, digits and hyphens, at most "
               "%(num)d character.", "A source is a short code of lowercase letters, digits "
               "and hyphens, at most %(num)d characters.", SOURCE_MAX),
        )  # fmt: skip
    return code


def uuid_of_href(href: str) -> str:
    """The last path segment of a link: create_tagging sends a full URL, whatever the host."""
    return href.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
