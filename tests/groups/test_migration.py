"""Migration 0017 gives every existing campaign a group named after it, owned by the
campaign's owners (and no one else), on PostgreSQL and on SQLite."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import flask_migrate
import pytest
import sqlalchemy as sa

from organizer.extensions import db

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _filler(column: sa.Column):
    """A value for a required column the test does not care about."""
    kind = column.type
    if isinstance(kind, sa.Enum):
        return kind.enums[0]
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer | sa.Numeric):
        return 0
    if isinstance(kind, sa.DateTime | sa.Date):
        return NOW
    if isinstance(kind, sa.JSON):
        return {}
    return "x"


def insert(connection, name: str, **given) -> int:
    table = sa.Table(name, sa.MetaData(), autoload_with=connection)
    values = {
        column.name: _filler(column)
        for column in table.columns
        if not column.nullable and column.server_default is None and not column.primary_key
    }
    values.update(given)
    return connection.execute(sa.insert(table).values(**values).returning(table.c.id)).scalar_one()


def seed(connection) -> dict[str, int]:
    ids = {
        name: insert(connection, "user_account", email=f"{name}@example.org", display_name=name)
        for name in ("olive", "owen", "oscar")
    }
    strike = insert(connection, "campaign", slug="strike", title="The strike",
                    created_by_id=ids["olive"], language="en")  # fmt: skip
    quiet = insert(connection, "campaign", slug="quiet", title="", created_by_id=ids["owen"],
                   language="en")  # fmt: skip
    roles = [(strike, "olive", "owner"), (strike, "owen", "owner"),
             (strike, "oscar", "organizer"), (quiet, "owen", "owner")]  # fmt: skip
    for campaign, user, role in roles:
        insert(connection, "campaign_membership", campaign_id=campaign, user_id=ids[user],
               role=role)  # fmt: skip
    return {**ids, "strike": strike, "quiet": quiet}


def check(connection, ids: dict[str, int]) -> None:
    groups = connection.execute(
        sa.text(
            "SELECT c.id, g.slug, g.name FROM campaign c JOIN campaign_group g "
            "ON g.id = c.group_id ORDER BY c.id"
        )
    ).all()
    assert [tuple(row) for row in groups] == [
        (ids["strike"], "strike", "The strike"),
        (ids["quiet"], "quiet", "quiet"),  # an untitled campaign's group takes its address
    ]
    members = connection.execute(
        sa.text(
            "SELECT c.slug, m.user_id, m.role FROM group_membership m "
            "JOIN campaign c ON c.group_id = m.group_id ORDER BY c.id, m.user_id"
        )
    ).all()
    assert [tuple(row) for row in members] == [
        ("strike", ids["olive"], "owner"),
        ("strike", ids["owen"], "owner"),
        ("quiet", ids["owen"], "owner"),
    ]


@pytest.fixture(params=["postgresql", "sqlite"])
def scratch_app(request, services, make_app, tmp_path):
    if request.param == "postgresql":
        url = services.postgres.create_database(f"groups_{uuid.uuid4().hex[:10]}")
    else:
        url = f"sqlite:///{tmp_path / 'scratch.db'}"
    return make_app({"TESTING": True}, DATABASE_URL=url)


def test_each_existing_campaign_gets_a_group_owned_by_its_owners(scratch_app):
    with scratch_app.app_context():
        flask_migrate.upgrade(revision="0016")
        with db.engine.begin() as connection:
            ids = seed(connection)
        flask_migrate.upgrade(revision="0017")
        with db.engine.connect() as connection:
            check(connection, ids)
        flask_migrate.downgrade(revision="0016")
        with db.engine.connect() as connection:
            assert "campaign_group" not in sa.inspect(connection).get_table_names()
