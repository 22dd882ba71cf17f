"""The proof-of-work challenge a shared connection gets past the per-IP sign limit (ALTCHA v2).

A street stall or an office signs from one address: past the soft limit each signer's
browser solves a small puzzle instead of being dropped. Each challenge is signed with a
secret derived from the campaign and the client's IP HMAC, so a solution only counts on the
campaign and connection it was issued for; the library has no replay protection, so each
solution is spent once in Redis until it expires.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from typing import Any

import altcha
import redis
from flask import current_app

log = logging.getLogger(__name__)

ALGORITHM = "PBKDF2/SHA-256"
SPENT_PREFIX = "sign-challenge-spent:"


def _secret(purpose: str, campaign_id: int, ip_key: str | None) -> bytes:
    config = current_app.config
    key = (config["SIGN_CHALLENGE_KEY"] or "altcha:" + config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{purpose}:{campaign_id}:{ip_key}".encode(), hashlib.sha256).digest()


def issue(campaign_id: int, ip_key: str | None) -> dict[str, Any]:
    """A fresh challenge, as the widget's JSON; the answer's counter is drawn at random so
    that the work varies between the configured bounds."""
    config = current_app.config
    low, high = config["SIGN_CHALLENGE_COUNTER_MIN"], config["SIGN_CHALLENGE_COUNTER_MAX"]
    challenge = altcha.create_challenge(
        ALGORITHM,
        config["SIGN_CHALLENGE_COST"],
        counter=low + secrets.randbelow(max(high - low, 0) + 1),
        expires_at=int(time.time()) + config["SIGN_CHALLENGE_TTL_SECONDS"],
        hmac_secret=_secret("challenge", campaign_id, ip_key),
        hmac_key_secret=_secret("key", campaign_id, ip_key),
    )
    return challenge.to_dict()


def verify(payload: str, campaign_id: int, ip_key: str | None) -> bool:
    """Whether ``payload`` solves a challenge issued for this campaign and connection and
    has not been used before. Spending it is the last step, so a wrong one spends nothing."""
    try:
        result = altcha.verify_solution(
            payload,
            _secret("challenge", campaign_id, ip_key),
            hmac_key_secret=_secret("key", campaign_id, ip_key),
        )
        parsed = altcha.Payload.from_base64(payload) if result.verified else None
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
    if parsed is None or not parsed.challenge.signature:
        return False
    expires_at = parsed.challenge.parameters.expires_at or 0
    return _spend(parsed.challenge.signature, max(int(expires_at - time.time()), 1))


def _spend(signature: str, seconds: int) -> bool:
    client = redis.Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=1)
    try:
        return bool(client.set(SPENT_PREFIX + signature, 1, nx=True, ex=seconds))
    except redis.RedisError:
        # Without Redis a solution cannot be proven fresh: the signature stays suspect.
        log.warning("sign challenge replay check unavailable", exc_info=True)
        return False
    finally:
        client.close()
