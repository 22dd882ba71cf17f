"""Home page, health check, and the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from organizer.accounts import services as accounts
from organizer.extensions import db
from organizer.i18n import LANGUAGE_COOKIE
from organizer.ops.health import readiness
from organizer.security import public_form
from organizer.urls import safe_next

bp = Blueprint("core", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.get("/")
def home() -> ResponseReturnValue:
    return render_template("core/home.html")


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    checks = readiness()
    ready = all(check.ok for check in checks)
    body = {
        "status": "ok" if ready else "unavailable",
        "checks": {c.name: "ok" if c.ok else c.detail or "failed" for c in checks},
    }
    return jsonify(body), 200 if ready else 503


@bp.post("/language")
@public_form
def set_language() -> ResponseReturnValue:
    """The header's language switch. A cookie is set only because the visitor asked for one."""
    locale = request.form.get("lang", "")
    target = request.form.get("next", "")
    response = redirect(safe_next(target))
    if locale not in current_app.config["LANGUAGES"]:
        return response
    if current_user.is_authenticated:
        accounts.set_locale(current_user, locale)
        db.session.commit()
    response.set_cookie(
        LANGUAGE_COOKIE,
        locale,
        max_age=ONE_YEAR,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response
