"""factory_boy factories, flushing into the test's session."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from organizer.accounts.models import User
from organizer.accounts.passwords import hash_password
from organizer.db import utcnow
from organizer.extensions import db

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name")
    password_hash = _PASSWORD_HASH
    email_verified_at = factory.LazyFunction(utcnow)
    locale = "en"
