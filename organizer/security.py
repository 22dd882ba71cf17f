"""Response headers, the trusted-proxy setting, body limits, and CSRF for public forms.

Forms behind a login carry Flask-WTF tokens. Public forms that anonymous visitors submit
use :func:`public_form` instead (DESIGN.md decision 11): a same-origin check on ``Origin``
and ``Sec-Fetch-Site``, so that public pages need no session and set no cookie.

Request bodies are held to ``MAX_CONTENT_LENGTH``; a route that takes files declares its
own larger limit with :func:`upload_limit`, applied before anything reads the body.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from organizer.client_ip import WITHOUT_ADDRESS
from organizer.extensions import csrf
from organizer.urls import BoundedIntConverter, PrintableConverter, PrintablePathConverter

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

F = TypeVar("F", bound=Callable[..., Any])
FORM_TYPES = frozenset({"application/x-www-form-urlencoded"})
UPLOAD_TYPES = FORM_TYPES | {"multipart/form-data"}
# Room for the other fields of a form that carries a file of the configured size.
UPLOAD_SLACK_BYTES = 64 * 1024


def init_security(app: Flask) -> None:
    # Before any blueprint adds a rule: each <int:…> then uses the bounded converter, and
    # each text segment one that refuses control characters.
    app.url_map.converters["int"] = BoundedIntConverter
    for name in ("default", "string"):
        app.url_map.converters[name] = PrintableConverter
    app.url_map.converters["path"] = PrintablePathConverter
    # First of all hooks, since CSRF and rate-limit keys read the body.
    app.before_request_funcs.setdefault(None, []).insert(0, _apply_upload_limit)
    app.before_request_funcs[None].insert(0, _refuse_nul_in_query)
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    app.after_request(_set_security_headers)
    # Flask-Limiter's own breach line quotes the limit's key, an email address for the
    # login limit; organizer.accounts.limits logs lockouts without it.
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)
    # The dev server's access log would otherwise keep every visitor's address.
    logging.getLogger("werkzeug").addFilter(WITHOUT_ADDRESS)


def _refuse_nul_in_query() -> None:
    """Views read query arguments straight into SQL filters; PostgreSQL refuses a NUL there,
    so a query string carrying one is a 400 before any view sees it."""
    if "%00" in request.query_string.decode("latin-1") or any(
        "\x00" in value for value in request.args.values()
    ):
        abort(400)


def _set_security_headers(response: Response) -> Response:
    # Each header only where the view set none: one pass over the response's headers, since
    # werkzeug's setdefault scans them (and raises a KeyError inside) once per name.
    headers = response.headers
    present = {name.lower() for name, _value in headers}
    policy = CONTENT_SECURITY_POLICY
    if "content-security-policy" in present:
        policy = headers["Content-Security-Policy"]
    defaults = _DEFAULT_HEADERS
    if current_app.config["CAHIER_ENV"] == "production":
        defaults = _DEFAULT_HEADERS + _PRODUCTION_HEADERS
    # Embed pages (organizer.embeds) relax frame-ancestors; X-Frame-Options has no value for
    # a list of origins, so it is sent only where framing is refused outright.
    if "frame-ancestors 'none'" in policy:
        defaults = defaults + _REFUSE_FRAMING
    headers.extend([(name, value) for name, value in defaults if name.lower() not in present])
    return response


PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"
_DEFAULT_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", PERMISSIONS_POLICY),
)
_PRODUCTION_HEADERS: tuple[tuple[str, str], ...] = (
    ("Strict-Transport-Security", "max-age=63072000; includeSubDomains"),
)
_REFUSE_FRAMING: tuple[tuple[str, str], ...] = (("X-Frame-Options", "DENY"),)


def allow_geolocation(response: Response) -> Response:
    """For the one page that offers "use my location": geolocation for this origin only."""
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(self)"
    return response


def _same_origin(origin: str) -> bool:
    allowed = {request.host_url.rstrip("/"), current_app.config["BASE_URL"]}
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" in allowed


def check_same_origin() -> None:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        abort(403, description=_l("This form can only be sent from this site."))
    if origin is not None and origin != "null" and not _same_origin(origin):
        abort(403, description=_l("This form can only be sent from this site."))
    if origin is None and fetch_site is None:
        if not current_app.config["PUBLIC_FORMS_ALLOW_MISSING_ORIGIN"]:
            abort(
                400,
                description=_l(
                    "Your browser did not say where this form came from. "
                    "Please use an up-to-date browser."
                ),
            )
    elif origin == "null" and fetch_site != "same-origin":
        abort(403, description=_l("This form can only be sent from this site."))


def is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def upload_limit(config_key: str) -> Callable[[F], F]:
    """Let a route that takes a file accept a body of the size the setting names."""

    def decorate(view: F) -> F:
        view.upload_limit_key = config_key  # type: ignore[attr-defined]
        return view

    return decorate


def _apply_upload_limit() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    key = getattr(view, "upload_limit_key", None)
    if key is not None:
        request.max_content_length = current_app.config[key] + UPLOAD_SLACK_BYTES


def check_form_body(files: bool = False) -> None:
    """Public forms read HTML form posts only; a JSON or other body is a 415."""
    if not request.content_length and not request.mimetype:
        return
    if request.mimetype not in (UPLOAD_TYPES if files else FORM_TYPES):
        abort(415, description=_l("This form only accepts what a web browser sends."))


def public_form(view: F | None = None, *, files: bool = False) -> Any:
    """CSRF protection for a form anonymous visitors post, without a token or a cookie.

    ``@public_form`` for a form of text fields, ``@public_form(files=True)`` for one with a
    file field (its body is multipart).
    """

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if request.method == "POST":
                check_same_origin()
                check_form_body(files)
            return view(*args, **kwargs)

        return csrf.exempt(wrapped)

    return decorate(view) if view is not None else decorate
