"""Keys of the login limits: one per account, however its address is spelled.

The per-account limit must see the address as the account lookup does, or the address
spelled with a full-width letter in its domain gets fresh attempts on a locked account.
NFKC and case folding on top of that normalization lump together every look-alike
spelling, which only throttles more.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata

from email_validator import EmailNotValidError
from flask import request, session
from flask_limiter import RequestLimit

from organizer.accounts.services import normalize_email

log = logging.getLogger(__name__)
MAX_ADDRESS = 320


def login_account_key(raw: str) -> str:
    # No address is longer; anything longer is refused by the form and needs no long key.
    raw = raw[:MAX_ADDRESS]
    try:
        address = normalize_email(raw)
    except EmailNotValidError:
        address = raw.strip()
    return "login-account:" + unicodedata.normalize("NFKC", address).casefold()


def login_account_key_of_request() -> str:
    return login_account_key(request.form.get("email", ""))


def log_lockout(limit: RequestLimit) -> None:
    """Note a locked account for the operators, without its address: a short hash of the
    key tells repeated lockouts of one account apart from a spray over many."""
    account = hashlib.sha256(login_account_key_of_request().encode()).hexdigest()[:12]
    log.warning("login locked for an account", extra={"account_hash": account})


def second_factor_key_of_request() -> str:
    """The code step is limited per account too, keyed by who passed the password here."""
    pending = session.get("second_factor")
    user = pending.get("user") if isinstance(pending, dict) else None
    return f"login-second-factor:{user}"
