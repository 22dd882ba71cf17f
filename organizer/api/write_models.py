"""The pydantic models of the write requests: they check the bodies, and the OpenAPI
document describes the requests from them. Unknown keys are allowed, as Action Network
allows them (clients send identifiers, origin_system and the like, which Cahier ignores)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import pycountry
from babel.localedata import locale_identifiers
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# What the document offers a client; the views check the same rules (organizer.api.
# write_input), case aside.
COUNTRIES = sorted(str(country.alpha_2) for country in pycountry.countries)
LANGUAGES = sorted({code for code in locale_identifiers() if code.isalpha() and len(code) == 2})
EMAIL_STATUSES = ["subscribed", "unsubscribed", "bouncing", "spam complaint",
                  "previous bounce", "previous spam complaint"]  # fmt: skip
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Scalar = str | int | float | bool | None


def _enum(values: list[str]) -> dict[str, Any]:
    return {"enum": list(values)}


class Lenient(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="allow")


class EmailAddressIn(Lenient):
    address: str = Field(max_length=320, json_schema_extra={"format": "email"})
    primary: bool | None = None
    status: str | None = Field(
        default=None,
        description="subscribed needs an import token and action_network:consent; "
        "unsubscribed is always accepted.",
        json_schema_extra=_enum(EMAIL_STATUSES),
    )


class PostalAddressIn(Lenient):
    primary: bool | None = None
    postal_code: str | None = Field(default=None, max_length=16)
    country: str | None = Field(
        default=None, description="ISO 3166-1 alpha-2", json_schema_extra=_enum(COUNTRIES)
    )


class PersonIn(Lenient):
    given_name: str | None = Field(default=None, max_length=120)
    family_name: str | None = Field(default=None, max_length=120)
    email_addresses: list[EmailAddressIn] = Field(default_factory=list, max_length=10)
    postal_addresses: list[PostalAddressIn] = Field(default_factory=list, max_length=10)
    languages_spoken: list[Annotated[str, Field(json_schema_extra=_enum(LANGUAGES))]] = Field(
        default_factory=list, max_length=10
    )
    custom_fields: dict[FieldName, Scalar] = Field(
        default_factory=dict, description="Stored per supporter as strings; {} is fine."
    )


class PersonWithEmail(PersonIn):
    email_addresses: list[EmailAddressIn] = Field(min_length=1, max_length=10)


class ConsentIn(Lenient):
    """Cahier's own extension: the consent the person gave somewhere else."""

    text: str = Field(min_length=1, max_length=4000, description="The consent text shown.")
    agreed_on: date | None = Field(
        default=None, alias="date", description="When the person agreed (default: today)."
    )


class Autoresponse(Lenient):
    enabled: bool = False


class Triggers(Lenient):
    autoresponse: Autoresponse | None = None


class ReferrerDataIn(Lenient):
    source: str | None = Field(
        default=None,
        description="A short code: a-z, 0-9 and -, 32 at most (read in lowercase).",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}$",
    )


class PersonSignup(Lenient):
    """The person signup helper (POST /people)."""

    person: PersonWithEmail
    add_tags: list[str] = Field(default_factory=list, max_length=100)
    triggers: Triggers | None = None
    consent: ConsentIn | None = Field(default=None, alias="action_network:consent")


class PersonUpdate(PersonIn):
    """PUT /people/{id}: the person's fields at the top level, as Action Network reads them.
    ``email_address`` is what Parsons' update_person sends."""

    email_address: str | EmailAddressIn | None = None
    consent: ConsentIn | None = Field(default=None, alias="action_network:consent")


class SignatureHelper(Lenient):
    """The record signature helper (POST /petitions/{id}/signatures)."""

    person: PersonWithEmail
    add_tags: list[str] = Field(default_factory=list, max_length=100)
    triggers: Triggers | None = None
    referrer_data: ReferrerDataIn | None = Field(default=None, alias="action_network:referrer_data")
    consent: ConsentIn | None = Field(
        default=None,
        alias="action_network:consent",
        description="Import tokens only: the signature was confirmed elsewhere, after the "
        "person was shown this text; it is counted at once.",
    )
    comments: str | None = Field(
        default=None, description="Not kept: Cahier refuses non-empty ones."
    )


class SignatureUpdate(Lenient):
    referrer_data: ReferrerDataIn | None = Field(default=None, alias="action_network:referrer_data")
    comments: str | None = Field(
        default=None, description="Not kept: Cahier refuses non-empty ones."
    )


class AttendanceHelper(Lenient):
    """The record attendance helper (POST /events/{id}/attendances)."""

    person: PersonWithEmail
    add_tags: list[str] = Field(default_factory=list, max_length=100)
    triggers: Triggers | None = None
    referrer_data: ReferrerDataIn | None = Field(default=None, alias="action_network:referrer_data")
    consent: ConsentIn | None = Field(
        default=None,
        alias="action_network:consent",
        description="Import tokens only: the RSVP was confirmed elsewhere; the guest is "
        "seated (or waitlisted) at once.",
    )


class AttendanceUpdate(Lenient):
    status: str | None = Field(
        default=None,
        description="declined (or cancelled) gives the place back; accepted asks again.",
        json_schema_extra=_enum(["accepted", "declined", "cancelled"]),
    )


class TagIn(Lenient):
    name: str = Field(min_length=1, max_length=80)


class PersonLink(Lenient):
    href: str = Field(max_length=2000)


class TaggingLinks(Lenient):
    person: PersonLink = Field(alias="osdi:person")


class TaggingIn(Lenient):
    links: TaggingLinks = Field(alias="_links")


class Notice(BaseModel):
    """What a DELETE answers, as Action Network does."""

    model_config = ConfigDict(extra="forbid")
    notice: str
