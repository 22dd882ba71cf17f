"""Who is asking: the ``OSDI-API-Token`` header, its scopes, and its rate limit."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache, wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, g, request
from flask_babel import lazy_gettext as _l
from limits import RateLimitItem, parse
from sqlalchemy import or_, update
from werkzeug.exceptions import TooManyRequests

from organizer.api.models import ApiScope, ApiToken
from organizer.api.tokens import ActiveToken, find_active, used_at
from organizer.db import utcnow
from organizer.extensions import db, limiter

log = logging.getLogger(__name__)

HEADER = "OSDI-API-Token"
# One write a minute per token at most: a row written on every request would serialize them.
LAST_USED_EVERY = timedelta(minutes=1)

F = TypeVar("F", bound=Callable[..., Any])


def current_token() -> ActiveToken:
    token: ActiveToken | None = g.get("api_token")
    if token is None:
        token = _authenticate()
    return token


def has_scope(scope: ApiScope) -> bool:
    return scope.value in current_token().scopes


def require_scope(scope: ApiScope) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = current_token()
            if scope.value not in token.scopes:
                abort(403, description=_l("This token does not have the %(scope)s scope.",
                                          scope=scope.value))  # fmt: skip
            return view(*args, **kwargs)

        wrapper.required_scope = scope  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorate


def _authenticate() -> ActiveToken:
    plaintext = request.headers.get(HEADER, "").strip()
    token = find_active(plaintext)
    if token is None:
        abort(401, description=_l("Send a valid API token in the OSDI-API-Token header."))
    g.api_token = token
    _enforce_rate_limit(token)
    _touch(plaintext, token)
    return token


@lru_cache(maxsize=8)
def _parsed(limit: str) -> RateLimitItem:
    return parse(limit)


def _enforce_rate_limit(token: ActiveToken) -> None:
    item = _parsed(current_app.config["API_RATE_LIMIT"])
    strategy = limiter.limiter
    try:
        if strategy.hit(item, "api-token", str(token.id)):
            return
        reset_at = strategy.get_window_stats(item, "api-token", str(token.id)).reset_time
    except Exception:
        # A Redis outage must not take the API down with it.
        log.warning("API rate limit unavailable", exc_info=True)
        return
    raise TooManyRequests(
        description=_l("Too many requests for this token. Wait and try again."),
        retry_after=max(1, math.ceil(reset_at - time.time())),
    )


def _touch(plaintext: str, token: ActiveToken) -> None:
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    # Conditional, so that parallel requests of the same minute write the row once; committed
    # at once because read requests commit nothing else.
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token.id)
        .where(or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - LAST_USED_EVERY))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    used_at(plaintext, token, now)
