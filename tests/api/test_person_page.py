"""A page of people is written from plain dicts, without the schema's validation at run time
(organizer.api.serializers.person_page_item): these tests hold it to what the schema would
have written, so that ``schemas.Person`` stays the contract the OpenAPI document states."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic_core import to_json
from sqlalchemy import literal, select

from organizer.api import schemas, serializers
from organizer.db import UTCDateTime
from organizer.extensions import db
from organizer.supporters.models import SupporterStatus
from tests.api.conftest import api_get, make_token
from tests.campaigns.conftest import setup
from tests.factories import SupporterFactory

PAGE = schemas.collection_model("people", schemas.Person)

moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=5))]),
)  # fmt: skip
supporters = st.fixed_dictionaries({
    "public_id": st.uuids().map(str),
    "name": st.text(max_size=40),
    "email": st.none() | st.just("") | st.emails(),
    "status": st.sampled_from(list(SupporterStatus)),
    "postal_code": st.none() | st.text(max_size=16),
    "country": st.none() | st.text(min_size=2, max_size=2),
    "language": st.text(max_size=8),
    "custom_fields": st.none() | st.dictionaries(st.text(max_size=10), st.text(max_size=20),
                                                 max_size=4),
    "created_at": moments,
    "updated_at": moments,
})  # fmt: skip


def _as_page_row(fields: dict[str, Any]) -> tuple[Any, ...]:
    """What PERSON_PAGE_COLUMNS give, in their order: the status as its text, the custom
    fields as JSON, the dates as iso_z's text (test_dates_written_by_the_database_are_iso_z
    holds the database to that)."""
    custom = fields["custom_fields"]
    return (
        1, fields["public_id"], fields["name"], fields["email"], fields["status"].value,
        fields["postal_code"], fields["country"], fields["language"],
        None if custom is None else json.dumps(custom), schemas.iso_z(fields["created_at"]),
        schemas.iso_z(fields["updated_at"]),
    )  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields=supporters)
def test_a_page_item_is_what_the_schema_writes(app, fields):
    with app.app_context():
        expected = schemas.Person.model_validate(
            serializers.person_fields(SimpleNamespace(**fields))
        ).model_dump_json(by_alias=True, exclude_none=True)
        item = serializers.person_page_item(_as_page_row(fields), serializers.api_url("people"))
    assert to_json(item).decode() == expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                  HealthCheck.function_scoped_fixture])  # fmt: skip
@given(moment=moments)
def test_dates_written_by_the_database_are_iso_z(app, db_session, moment):
    with app.app_context():
        column = literal(moment, UTCDateTime())
        written = db.session.scalar(select(serializers.utc_iso(column)))
    assert written == schemas.iso_z(moment)


@pytest.fixture
def varied(app, group_id):
    """People with and without an email, a postal code, a country and custom fields."""
    with setup(app):
        SupporterFactory(group_id=group_id, name="  Ada   Lovelace  ", postal_code="75011",
                         custom_fields={"team": "north", "shift": "é\nnuit"})  # fmt: skip
        SupporterFactory(group_id=group_id, email=None, canonical_email=None, country=None,
                         name="Single", status=SupporterStatus.UNSUBSCRIBED)  # fmt: skip
        SupporterFactory(group_id=group_id, name="", custom_fields={},
                         status=SupporterStatus.BOUNCING)  # fmt: skip
        for _ in range(4):
            SupporterFactory(group_id=group_id)


@pytest.mark.parametrize("query", [{"per_page": 3}, {"per_page": 3, "page": 2},
                                   {"per_page": 25}, {"page": 9},
                                   {"filter": "modified_date gt '2000-01-01'"}])  # fmt: skip
def test_real_pages_are_the_schemas_own_dump(app, client, group_id, varied, query):
    """Validated by the page's model and written again by it, a real page comes out the
    same, byte for byte: the schema accepts it, and it is exactly what it would write."""
    response = api_get(client, "/people", make_token(app, group_id), **query)
    assert response.status_code == 200
    page = PAGE.model_validate_json(response.data)
    assert page.model_dump_json(by_alias=True, exclude_none=True).encode() == response.data
