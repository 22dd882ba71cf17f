from __future__ import annotations

import pytest
from sqlalchemy import select

from organizer.accounts import services, tokens
from organizer.accounts.models import User
from organizer.accounts.passwords import password_problem, verify_password
from organizer.extensions import db
from tests.factories import PASSWORD, UserFactory
from tests.support.mail import emails_to


def test_register_stores_an_argon2_hash_and_queues_verification(ctx):
    user = services.register("Ada", "Ada@Example.ORG", "a long enough passphrase", "fr")
    assert user is not None
    assert user.email == "ada@example.org"
    assert user.password_hash.startswith("$argon2id$")
    assert user.email_verified_at is None
    [email] = emails_to("ada@example.org")
    assert email.kind == "verify_email"
    assert email.locale == "fr"


def test_registering_a_taken_address_creates_nothing_and_tells_the_owner(ctx):
    owner = UserFactory(email="taken@example.org")
    assert services.register("Eve", "taken@example.org", "another fine passphrase", "en") is None
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 1
    [email] = emails_to(owner.email)
    assert email.kind == "account_exists"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "at least 10"),
        ("1234567890", "easy to guess"),
        ("qwertyuiop", "easy to guess"),
        ("Password123", "easy to guess"),
        ("x" * 1025, "at most"),
    ],
)
def test_weak_passwords_are_refused(ctx, password, reason):
    assert reason in password_problem(password)


def test_a_password_equal_to_the_email_is_refused(ctx):
    assert password_problem("ada.lovelace@example.org", "ada.lovelace@example.org")


def test_a_good_password_passes(ctx):
    assert password_problem("tulips in the rain at dawn") is None


def test_the_verify_token_works_and_is_bound_to_the_address(ctx):
    user = UserFactory(email_verified_at=None)
    token = tokens.make_verify_token(user)
    assert services.verify_email(token) == user
    assert user.email_verified_at is not None
    assert services.verify_email(token + "x") is None
    user.email = "changed@example.org"
    assert services.verify_email(token) is None


def test_authenticate_checks_the_password(ctx):
    user = UserFactory()
    assert services.authenticate(user.email.upper(), PASSWORD) == user
    assert services.authenticate(user.email, "not the password") is None
    assert services.authenticate("nobody@example.org", PASSWORD) is None


def test_a_reset_token_works_once(ctx):
    user = UserFactory()
    token = tokens.make_reset_token(user)
    assert services.reset_password(token, "a brand new passphrase") == user
    assert verify_password(user.password_hash, "a brand new passphrase")
    assert services.reset_password(token, "yet another passphrase") is None


def test_reset_request_emails_only_existing_accounts(ctx):
    user = UserFactory()
    services.request_password_reset(user.email, "en")
    services.request_password_reset("stranger@example.org", "en")
    assert [e.kind for e in emails_to(user.email)] == ["reset_password"]
    assert emails_to("stranger@example.org") == []


def test_changing_the_password_ends_other_sessions(ctx):
    user = UserFactory()
    old_session_id = user.get_id()
    services.change_password(user, PASSWORD, "a different long passphrase")
    assert user.get_id() != old_session_id
    with pytest.raises(services.AccountError):
        services.change_password(user, "wrong current password", "whatever passphrase 2")
