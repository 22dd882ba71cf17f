"""Two-factor login: a TOTP authenticator app, and ten one-time recovery codes.

The secret is kept in the database as it must be to check codes, and shown only while
enrolling: after that no page shows it again. (Encrypting it with a key from the app's
configuration would only move the secret next to the database that holds it; the codes are
what protect an account whose password leaked.) Recovery codes carry 64 random bits each,
so a plain SHA-256 of them is enough: no dictionary or brute force reaches them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import delete, select

from organizer.accounts import passwords
from organizer.accounts.models import RecoveryCode, User
from organizer.accounts.services import AccountError
from organizer.db import utcnow
from organizer.extensions import db

ISSUER = "Cahier"
RECOVERY_CODES = 10
# One step either side of now: a phone clock a little off, or a code typed as it turned.
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()


def qr_code_svg(user: User, secret: str) -> Markup:
    """The enrolment QR code as inline SVG markup (CSP forbids inline scripts, not SVG)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    # segno writes the SVG itself from the URI's bits, and escapes the title it is given.
    svg = segno.make(uri, error="m").svg_inline(scale=4, title=_("QR code to scan"))
    return Markup(svg)  # noqa: S704


def _matching_step(secret: str, code: str, after: int | None, now: datetime) -> int | None:
    code = "".join(code.split())
    if not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def enable(user: User, secret: str, code: str) -> list[str]:
    """Turn two-factor login on once a code from the app proves it was set up right.

    Returns the recovery codes, which exist in clear only in this answer."""
    step = _matching_step(secret, code, None, utcnow())
    if step is None:
        raise AccountError(_("This code is not right. Enter the code your app shows now."))
    user.totp_secret = secret
    user.totp_last_step = step
    user.two_factor_enabled_at = utcnow()
    return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones, returned in clear once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_format(secrets.token_hex(8)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes)
    db.session.flush()
    return codes


def _format(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _hash(code: str) -> str:
    # Dashes, spaces and case do not matter when typing a code back.
    canonical = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_second_factor(user: User, code: str) -> bool:
    """True if ``code`` is a current TOTP code not used before, or an unused recovery code
    (which is then spent)."""
    if user.totp_secret is None:
        return False
    step = _matching_step(user.totp_secret, code, user.totp_last_step, utcnow())
    if step is not None:
        user.totp_last_step = step
        return True
    recovery = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is None:
        return False
    recovery.used_at = utcnow()
    return True


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def disable(user: User, password: str) -> None:
    if not passwords.verify_password(user.password_hash, password):
        raise AccountError(_("Your password is not right."))
    user.totp_secret = None
    user.totp_last_step = None
    user.two_factor_enabled_at = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
