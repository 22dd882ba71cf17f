"""``filter=modified_date gt '…'``: the OData subset Parsons sends, on every dated collection."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from organizer.extensions import db
from organizer.supporters.models import Supporter
from tests.api.conftest import api_get, embedded, make_token, public_id
from tests.campaigns.conftest import setup
from tests.factories import SupporterFactory


def _at(day, hour=12):
    return datetime(2026, 1, day, hour, tzinfo=UTC)


@pytest.fixture
def dated(app, group_id):
    """Three people last changed on 10, 20 and 30 January 2026 at noon."""
    with setup(app):
        made = []
        for day in (10, 20, 30):
            s = SupporterFactory(group_id=group_id, created_at=_at(1), updated_at=_at(day))
            made.append(s.public_id)
    # The ORM sets updated_at on every flush; the test's dates are written after it.
    with setup(app):
        for public, day in zip(made, (10, 20, 30), strict=True):
            row = db.session.scalar(select(Supporter).where(Supporter.public_id == public))
            db.session.execute(
                Supporter.__table__.update()
                .where(Supporter.id == row.id)
                .values(updated_at=_at(day))
            )
    return made


@pytest.mark.parametrize(
    ("expression", "wanted"),
    [
        ("modified_date gt '2026-01-15'", [1, 2]),
        ("modified_date lt '2026-01-20'", [0]),
        ("modified_date eq '2026-01-20'", [1]),
        ("modified_date gt '2026-01-20'", [2]),
        ("modified_date gt '2026-01-05' and modified_date lt '2026-01-25'", [0, 1]),
        ("modified_date GT '2026-01-20T11:59:59Z'", [1, 2]),
        ("modified_date eq '2026-01-20T12:00:00Z'", [1]),
        ("created_date eq '2026-01-01'", [0, 1, 2]),
        ("modified_date gt '2026-02-01'", []),
    ],
)
def test_filters_on_dates(app, client, group_id, dated, expression, wanted):
    response = api_get(client, "/people", make_token(app, group_id), filter=expression)
    assert response.status_code == 200, response.get_json()
    assert [public_id(p) for p in embedded(response)] == [dated[i] for i in wanted]


def test_the_next_link_keeps_the_filter(app, client, group_id, dated):
    body = api_get(client, "/people", make_token(app, group_id), per_page=1,
                   filter="modified_date gt '2026-01-15'").get_json()  # fmt: skip
    assert body["total_records"] == 2
    assert "filter=modified_date+gt+%272026-01-15%27" in body["_links"]["next"]["href"]


def test_people_are_found_by_email(app, client, group_id):
    with setup(app):
        ada = SupporterFactory(group_id=group_id, email="Ada@Example.org").public_id
        SupporterFactory(group_id=group_id)
    found = embedded(api_get(client, "/people", make_token(app, group_id),
                             filter="email_address eq 'ada@example.org'"))  # fmt: skip
    assert [public_id(p) for p in found] == [ada]


@pytest.mark.parametrize(
    ("expression", "says"),
    [
        ("modified_date gt 2026-01-01", "not understood"),
        ("modified_date after '2026-01-01'", "not understood"),
        ("modified_date gt '2026-13-45'", "is not a date"),
        ("modified_date gt '2026-01-01' or created_date lt '2026-02-01'", "not understood"),
        ("given_name eq 'Ada'", "cannot be filtered on given_name"),
        ("modified_date gt '2026-01-01' and", "not understood"),
        ("email_address gt 'a'", "Only eq"),
    ],
)
def test_a_malformed_filter_is_a_400_with_a_message(app, client, group_id, expression, says):
    response = api_get(client, "/people", make_token(app, group_id), filter=expression)
    assert response.status_code == 400
    assert says in response.get_json()["error"]


def test_every_dated_collection_takes_the_filter(app, client, world):
    token = make_token(app, world.group_id)
    for path in ("/people", "/tags", "/petitions", "/events", "/messages",
                 f"/tags/{world.tag}/taggings", f"/petitions/{world.petition}/signatures",
                 f"/people/{world.signers[0]}/signatures", f"/events/{world.event}/attendances",
                 f"/people/{world.signers[0]}/attendances"):  # fmt: skip
        everything = embedded(api_get(client, path, token, filter="modified_date gt '2000-01-01'"))
        nothing = embedded(api_get(client, path, token, filter="modified_date lt '2000-01-01'"))
        assert everything and nothing == [], path
        assert api_get(client, path, token, filter="modified_date").status_code == 400, path
