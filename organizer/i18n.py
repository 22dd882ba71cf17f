"""Which language a request is answered in, and the names of places and languages in it.

Country, language and jurisdiction names come from Babel's CLDR data in the reader's locale
("EU" is a CLDR territory too: "European Union", "Union européenne").
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, has_app_context, has_request_context, request
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


def locale_code() -> str:
    """The current locale as a Babel identifier ("fr"), in requests, tasks and commands."""
    found = get_locale() if has_app_context() else None
    return str(found) if found else "en"


@lru_cache(maxsize=32)
def _locale(code: str) -> Locale:
    try:
        return Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


def sort_key(name: str) -> tuple[str, str]:
    """Alphabetical order as a reader of English or French expects it.

    Accents and case only break ties ("Égypte" sorts among the E, "Åland" among the A), which
    is what the Unicode collation's first level gives for these two languages.
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)), name


def territory_name(code: str, locale: str | None = None) -> str:
    """A country's or region's name ("US", "EU") in the locale; unknown codes as given."""
    territories = _locale(locale or locale_code()).territories
    return str(territories.get(code.upper(), code)) if code else ""


def language_name(code: str, locale: str | None = None) -> str:
    """A language's name ("fr" is "French", "français") in the locale."""
    return str(_locale(locale or locale_code()).languages.get(code, code)) if code else ""


@lru_cache(maxsize=16)
def territory_choices(codes: tuple[str, ...], locale: str) -> tuple[tuple[str, str], ...]:
    named = [(code, territory_name(code, locale)) for code in codes]
    return tuple(sorted(named, key=lambda pair: sort_key(pair[1])))


@lru_cache(maxsize=16)
def language_choices(codes: tuple[str, ...], locale: str) -> tuple[tuple[str, str], ...]:
    named = [(code, language_name(code, locale)) for code in codes]
    return tuple(sorted(named, key=lambda pair: sort_key(pair[1])))


def init_template_context(app: Flask) -> None:
    # A global rather than a context variable, so that imported macros can mark the interface's
    # words inside text written in another language (lang attributes, WCAG 3.1.2).
    @app.template_global()
    def current_locale() -> str:
        return str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])

    @app.context_processor
    def language_context() -> dict[str, Any]:
        return {"language_names": LANGUAGE_NAMES}

    app.add_template_global(territory_name)
