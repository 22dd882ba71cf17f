"""Account rules: registration, verification, login, password reset and change, language."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from organizer.accounts import passwords, tokens
from organizer.accounts.models import User
from organizer.db import after_commit, utcnow
from organizer.extensions import db
from organizer.mail.services import queue_email
from organizer.urls import external_url

PASSWORD_RESET_TASK = "accounts.password_reset"  # noqa: S105 (a task name)


class AccountError(ValueError):
    """A request the rules refuse; the message is for the person (already translated)."""


def normalize_email(raw: str) -> str:
    """The form an account's address is stored and looked up in. Raises EmailNotValidError."""
    normalized = validate_email(raw.strip(), check_deliverability=False).normalized
    return normalized.lower()


def find_by_email(raw: str) -> User | None:
    try:
        email = normalize_email(raw)
    except EmailNotValidError:
        return None
    return db.session.scalar(select(User).where(User.email == email))


def register(
    display_name: str, raw_email: str, password: str, locale: str, next_path: str | None = None
) -> User | None:
    """Create an unverified account and send its verification email.

    An address that already has an account gets a note instead, and the caller shows the
    same page either way, so registration never tells a stranger who has an account.
    Returns the new user, or None when the address was taken. ``next_path`` (a local path
    the caller checked) rides on the verification link, to return there after logging in.
    """
    email = normalize_email(raw_email)
    problem = passwords.password_problem(password, email, display_name)
    if problem:
        raise AccountError(problem)
    # Hashed whether or not the address is taken: the hash is most of the request's time,
    # and skipping it for a known address would tell a stranger who has an account.
    password_hash = passwords.hash_password(password)
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None:
        queue_email(
            to=existing.email,
            template="account_exists",
            locale=existing.locale,
            context={
                "user": existing,
                "login_url": external_url("accounts.login", next=next_path),
            },
            related=("user", existing.id),
        )
        return None
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=password_hash,
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    send_verification(user, next_path)
    return user


def send_verification(user: User, next_path: str | None = None) -> None:
    url = external_url("accounts.verify", token=tokens.make_verify_token(user), next=next_path)
    queue_email(
        to=user.email,
        template="verify_email",
        locale=user.locale,
        context={"user": user, "verify_url": url},
        related=("user", user.id),
    )


def verify_email(token: str) -> User | None:
    user = tokens.user_for_verify_token(token)
    if user is not None and user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user


def authenticate(raw_email: str, password: str) -> User | None:
    user = find_by_email(raw_email)
    if not passwords.verify_password(user.password_hash if user else None, password):
        return None
    assert user is not None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    return user


def defer_password_reset(raw_email: str, locale: str) -> None:
    """Hand the reset request to a worker once the request ends.

    The request does the same work whether or not the address has an account, so neither
    its answer nor its timing tells a stranger who is registered.
    """
    celery = current_app.extensions["celery"]
    after_commit(
        db.session,
        lambda: celery.send_task(PASSWORD_RESET_TASK, args=[raw_email, locale], retry=False),
    )


def request_password_reset(raw_email: str, locale: str) -> None:
    """Email a reset link if the address has an account (run by a worker)."""
    user = find_by_email(raw_email)
    if user is None:
        return
    url = external_url("accounts.reset_password", token=tokens.make_reset_token(user))
    queue_email(
        to=user.email,
        template="reset_password",
        locale=user.locale,
        context={"user": user, "reset_url": url},
        related=("user", user.id),
    )


def reset_password(token: str, new_password: str) -> User | None:
    user = tokens.user_for_reset_token(token)
    if user is None:
        return None
    _set_password(user, new_password)
    # Following the emailed link proves the address too.
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not passwords.verify_password(user.password_hash, current_password):
        raise AccountError(_("Your current password is not right."))
    _set_password(user, new_password)


def _set_password(user: User, new_password: str) -> None:
    problem = passwords.password_problem(new_password, user.email, user.display_name)
    if problem:
        raise AccountError(problem)
    user.password_hash = passwords.hash_password(new_password)
    # Every other session was made for the old version and stops working.
    user.session_version += 1


def set_locale(user: User, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise AccountError(_("This language is not available."))
    user.locale = locale
