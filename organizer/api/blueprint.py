"""The API's blueprint: HAL+JSON answers, JSON errors, no cookies, no CSRF (a token, not a
session, says who is asking), and one log line per request with the token's label only."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, g, json, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from organizer.db_reads import read_outside_a_transaction
from organizer.extensions import csrf, limiter

log = logging.getLogger("organizer.api")

HAL_JSON = "application/hal+json"
PREFIX = "/api/v2"

bp = Blueprint("api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)


@limiter.request_filter
def _limited_by_token_only() -> bool:
    """The API counts requests per token (organizer.api.auth), and no API route has a
    Flask-Limiter limit: looking them up cost a twentieth of a page's time."""
    return request.blueprint == "api"


def hal(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = Response(json.dumps(body), status=status, mimetype=HAL_JSON)
    response.headers.update(headers or {})
    return response


def hal_json(text: str | bytes, status: int = 200) -> Response:
    """A body already written as JSON."""
    return Response(text, status=status, mimetype=HAL_JSON)


def is_api_request() -> bool:
    """Also true for an unknown URL under the prefix, where no blueprint matched."""
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def error_response(error: HTTPException) -> Response:
    """What every API error looks like: Action Network's ``{"error": "..."}``."""
    code = error.code or 500
    message = str(error.description) if code < 500 else _("The server could not answer.")
    response = Response(json.dumps({"error": message}), status=code, mimetype="application/json")
    for name, value in error.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


@bp.before_request
def _reads_outside_a_transaction() -> None:
    # A GET of the API only reads (the last-used time commits on its own).
    if request.method in ("GET", "HEAD"):
        read_outside_a_transaction()


@bp.after_request
def _log_request(response: Response) -> Response:
    # The label names the client; paths hold public UUIDs and the query string is left out,
    # because a filter may carry an email address.
    token = g.get("api_token")
    log.info(
        "api %s %s %s token=%s",
        request.method,
        request.endpoint or "-",
        response.status_code,
        token.label if token is not None else "-",
    )
    return response
