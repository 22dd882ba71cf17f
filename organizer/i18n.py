"""Which language a request is answered in."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

LANGUAGE_COOKIE = "cahier_lang"
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}


def select_locale() -> str | None:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        # Tasks and commands choose the recipient's language with force_locale().
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in languages:
        return cookie
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def init_template_context(app: Flask) -> None:
    # A global rather than a context variable, so that imported macros can mark the interface's
    # words inside text written in another language (lang attributes, WCAG 3.1.2).
    @app.template_global()
    def current_locale() -> str:
        return str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])

    @app.context_processor
    def language_context() -> dict[str, Any]:
        return {"language_names": LANGUAGE_NAMES}
