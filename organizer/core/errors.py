"""Error pages in the visitor's language; JSON for clients that ask for it."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    RequestEntityTooLarge,
    ServiceUnavailable,
)

from organizer.extensions import db

log = logging.getLogger(__name__)
PAGES = {400, 403, 404, 405, 429, 500, 503}


def init_errorhandlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(HTTPException, _render)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(Exception, _unexpected_error)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes.accept_html


def _render(error: HTTPException) -> ResponseReturnValue:
    from organizer.api.blueprint import error_response, is_api_request

    if is_api_request():
        return error_response(error)
    code = error.code or 500
    if _wants_json():
        return {"error": error.name, "message": error.description}, code
    template = f"errors/{code if code in PAGES else 'generic'}.html"
    return render_template(template, error=error), code


def _csrf_error(error: CSRFError) -> ResponseReturnValue:
    # Flask-WTF's own wording is technical and English-only.
    error.description = _l(
        "This form has expired or did not come from this site. Reload the page and try again."
    )
    return _render(error)


def _too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    error.description = _l("What you sent is too large. Send a shorter text or a smaller file.")
    return _render(error)


def _database_unavailable(error: OperationalError) -> ResponseReturnValue:
    db.session.rollback()
    log.error("database unavailable: %s", error)
    return _render(ServiceUnavailable())


def _unexpected_error(error: Exception) -> ResponseReturnValue:
    db.session.rollback()
    log.exception("unhandled error")
    return _render(InternalServerError())
