"""Response headers, the trusted-proxy setting, and CSRF for anonymous public forms.

Forms behind a login carry Flask-WTF tokens. Public forms that anonymous visitors submit
use :func:`public_form` instead (DESIGN.md decision 11): a same-origin check on ``Origin``
and ``Sec-Fetch-Site``, so that public pages need no session and set no cookie.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from organizer.extensions import csrf

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


def init_security(app: Flask) -> None:
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    app.after_request(_set_security_headers)


def _set_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["CAHIER_ENV"] == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
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


def public_form(view: F) -> F:
    """CSRF protection for a form anonymous visitors post, without a token or a cookie."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if request.method == "POST":
            check_same_origin()
        return view(*args, **kwargs)

    return csrf.exempt(wrapped)
