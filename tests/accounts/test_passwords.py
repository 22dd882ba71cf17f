"""New passwords are scored by zxcvbn, with the person's own name and address as hints."""

from __future__ import annotations

import secrets

import pytest

from organizer.accounts.passwords import password_problem
from tests.factories import PASSWORD
from tests.support.web import submit


@pytest.mark.parametrize(
    "password", ["aaaaaaaaaa", "1111111111", "0123456789", "abcdefghij", "qwertyuiop"]
)
def test_easy_passwords_are_refused_with_a_reason(ctx, password):
    problem = password_problem(password, "louise@example.org", "Louise Martin")
    assert problem is not None
    assert "easy to guess" in problem


def test_a_password_made_of_the_persons_name_is_refused(ctx):
    assert password_problem("ottiliebrannigan", "ob@example.org", "Ottilie Brannigan")
    assert password_problem("ottiliebrannigan", "ob@example.org", "") is None


def test_strong_passwords_pass(ctx):
    for password in (PASSWORD, "tulips in the rain at dawn", "tulips in the rain"):
        assert password_problem(password, "louise@example.org", "Louise Martin") is None


def test_the_demo_seeds_kind_of_password_passes(ctx):
    # organizer/demo.py makes its password with secrets.token_urlsafe(12).
    for _ in range(50):
        assert password_problem(secrets.token_urlsafe(12), "organizer@example.org") is None


def test_the_register_form_says_why(client):
    response = submit(
        client,
        "/account/register",
        {"display_name": "Louise", "email": "louise@example.org", "password": "abcdefghij"},
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Sequences like “abc” or “6543” are easy to guess." in text
    assert "A few uncommon words together make a strong one." in text
