"""The harness itself: a test's commits must stay inside its rolled-back transaction."""

from __future__ import annotations

from sqlalchemy import create_engine, func, select

from organizer.accounts.models import User
from organizer.extensions import db
from tests.factories import UserFactory


def test_commits_in_a_test_are_invisible_to_other_connections(app, ctx, services):
    UserFactory(email="isolated@example.org")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    outsider = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with outsider.connect() as connection:
            seen = connection.scalar(
                select(func.count()).select_from(User).where(User.email == "isolated@example.org")
            )
    finally:
        outsider.dispose()
    assert seen == 0
