"""Password hashing (argon2) and the rules a new password must meet."""

from __future__ import annotations

import os

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext


def _make_hasher() -> PasswordHasher:
    """argon2's recommended cost, unless a test run asks for the cheapest profile with
    ARGON2_PROFILE=CHEAPEST: the suite hashes and checks hundreds of passwords, each costing
    a fifth of a second at full cost. Production always pays the full cost."""
    cheapest = os.environ.get("ARGON2_PROFILE") == "CHEAPEST"
    if not cheapest or os.environ.get("CAHIER_ENV") == "production":
        return PasswordHasher()
    return PasswordHasher.from_parameters(profiles.CHEAPEST)


_hasher = _make_hasher()
MAX_LENGTH = 1024
# Verified against when no account matches, so that a miss costs as long as a hit.
_DUMMY_HASH = _hasher.hash("not a real password, only here for timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# zxcvbn's longest useful input; past it scoring only gets slower, not wiser.
SCORED_LENGTH = 100
MIN_SCORE = 3

# zxcvbn's feedback, in our catalog so that it follows the reader's language.
_FEEDBACK = {
    "Straight rows of keys are easy to guess.": _l("Straight rows of keys are easy to guess."),
    "Short keyboard patterns are easy to guess.": _l("Short keyboard patterns are easy to guess."),
    'Repeats like "aaa" are easy to guess.': _l("Repeats like “aaa” are easy to guess."),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': _l(
        "Repeats like “abcabcabc” are only slightly harder to guess than “abc”."
    ),
    'Sequences like "abc" or "6543" are easy to guess.': _l(
        "Sequences like “abc” or “6543” are easy to guess."
    ),
    "Recent years are easy to guess.": _l("Recent years are easy to guess."),
    "Dates are often easy to guess.": _l("Dates are often easy to guess."),
    "This is a top-10 common password.": _l("This is one of the ten most common passwords."),
    "This is a top-100 common password.": _l("This is one of the hundred most common passwords."),
    "This is a very common password.": _l("This is a very common password."),
    "This is similar to a commonly used password.": _l(
        "This is similar to a commonly used password."
    ),
    "A word by itself is easy to guess.": _l("A word by itself is easy to guess."),
    "Names and surnames by themselves are easy to guess.": _l(
        "Names and surnames by themselves are easy to guess."
    ),
    "Common names and surnames are easy to guess.": _l(
        "Common names and surnames are easy to guess."
    ),
}


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why ``password`` is refused, in the request's language, or None when it is fine."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return ngettext(
            "Use at least %(num)d character.", "Use at least %(num)d characters.", minimum
        )
    if len(password) > MAX_LENGTH:
        return ngettext(
            "Use at most %(num)d character.", "Use at most %(num)d characters.", MAX_LENGTH
        )
    lowered = password.lower()
    if email and lowered in (email.lower(), email.split("@")[0].lower()):
        return _("Your password must not be your email address.")
    hints = [email, *email.split("@"), name, *name.split()]
    return _guessable(password, [hint for hint in hints if hint])


def _guessable(password: str, user_inputs: list[str]) -> str | None:
    from zxcvbn import zxcvbn  # imported lazily: its dictionaries take a while to load

    result = zxcvbn(password[:SCORED_LENGTH], user_inputs=user_inputs)
    if result["score"] >= MIN_SCORE:
        return None
    general = _(
        "This password would be easy to guess. A few uncommon words together make a strong one."
    )
    warning = _FEEDBACK.get(result["feedback"].get("warning") or "")
    return f"{warning} {general}" if warning else general
