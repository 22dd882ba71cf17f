"""The pydantic models of every API response. The serializers fill them and the OpenAPI
document is generated from them, so the two cannot drift apart."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, create_model


def iso_z(moment: datetime) -> str:
    # Called twice per item of every page: isoformat is twice as fast as strftime.
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds")[:19] + "Z"


# ISO 8601 in UTC with a Z, as Action Network writes them.
Timestamp = Annotated[
    datetime,
    PlainSerializer(iso_z, return_type=str),
    Field(json_schema_extra={"format": "date-time"}),
]


class Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True, extra="forbid")


class Link(Model):
    href: str
    title: str | None = None


class Curie(Model):
    name: str
    href: str
    templated: bool = True


Links = dict[str, Link]


class Resource(Model):
    identifiers: list[str] = Field(
        description="The public UUID as action_network:<uuid>; never an internal id."
    )
    created_date: Timestamp
    modified_date: Timestamp
    links: Links = Field(alias="_links")


class EmailAddress(Model):
    address: str
    primary: bool = True
    status: str = Field(description="subscribed, unsubscribed, bouncing or spam complaint")


class PostalAddress(Model):
    primary: bool = True
    postal_code: str | None = None
    country: str | None = None


class Person(Resource):
    given_name: str
    family_name: str
    email_addresses: list[EmailAddress]
    postal_addresses: list[PostalAddress]
    languages_spoken: list[str]
    custom_fields: dict[str, str]


class Tag(Resource):
    name: str


class Tagging(Resource):
    pass


class Target(Model):
    name: str


class Petition(Resource):
    title: str
    description: str
    petition_text: str = Field(description="The grievance list, as text.")
    target: list[Target] = Field(description="The bodies the campaign's letters go to.")
    total_signatures: int
    browser_url: str
    status: str
    origin_system: str = "Cahier"


class ReferrerData(Model):
    source: str | None = None


class Signature(Resource):
    status: str = Field(description="pending, confirmed, invalidated or withdrawn")
    person_id: str | None = Field(None, alias="action_network:person_id")
    petition_id: str = Field(alias="action_network:petition_id")
    referrer_data: ReferrerData = Field(alias="action_network:referrer_data")


class Coordinates(Model):
    latitude: float
    longitude: float


class Location(Model):
    venue: str | None = None
    address_lines: list[str] | None = Field(
        None, description="Given only to a token with the write scope when the host hides it."
    )
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    location: Coordinates | None = None


class Event(Resource):
    title: str
    description: str
    start_date: Timestamp
    end_date: Timestamp
    timezone: str
    location: Location
    status: str = Field(description="confirmed, tentative or cancelled (OSDI)")
    capacity: int
    total_accepted: int
    visibility: str = Field(description="public or private")
    browser_url: str
    online_url: str | None = Field(
        None, description="The link of an online screening; only for a write token."
    )


class Attendance(Resource):
    status: str = Field(description="accepted, tentative (waitlisted), needs action or declined")
    person_id: str | None = Field(None, alias="action_network:person_id")
    event_id: str = Field(alias="action_network:event_id")
    referrer_data: ReferrerData = Field(alias="action_network:referrer_data")


class MessageStatistics(Model):
    """Aggregates only: Cahier never tracks opens or clicks (DESIGN.md decision 14)."""

    sent: int
    failed: int
    cancelled: int
    bounced: int
    spam_reports: int
    unsubscribed: int


class Message(Resource):
    subject: str
    body: str
    from_: str = Field(alias="from")
    reply_to: str | None = None
    status: str = Field(description="draft, scheduled, sending, paused, sent or cancelled")
    sent_start_date: Timestamp | None = None
    total_targeted: int
    statistics: MessageStatistics


class EntryPoint(Model):
    motd: str
    vendor_name: str = "Cahier"
    product_name: str = "Cahier"
    osdi_version: str = "1.1.1"
    max_pagesize: int
    links: dict[str, Link | list[Curie]] = Field(alias="_links")


class Error(Model):
    error: str


class Collection(Model):
    total_pages: int
    per_page: int
    page: int
    total_records: int
    links: Links = Field(alias="_links")


@cache
def collection_model(key: str, item: type[Resource]) -> type[Collection]:
    """The page of a collection: its list sits in ``_embedded`` under ``osdi:<key>``."""
    embedded = create_model(
        f"{key.title().replace('_', '')}Embedded",
        __base__=Model,
        items=(list[item], Field(alias=f"osdi:{key}")),  # type: ignore[valid-type]
    )
    return create_model(
        f"{key.title().replace('_', '')}Page",
        __base__=Collection,
        embedded=(embedded, Field(alias="_embedded")),
    )


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)
