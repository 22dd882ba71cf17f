"""Country choices with names in the visitor's language (pycountry's ISO 3166 catalogues)."""

from __future__ import annotations

import gettext
import unicodedata
from functools import lru_cache

import pycountry


@lru_cache(maxsize=16)
def _translation(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def _sort_key(name: str) -> str:
    # "Åland" sorts with "A", "Égypte" with "E".
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=16)
def countries(language: str) -> tuple[tuple[str, str], ...]:
    """(alpha-2 code, localized name), sorted by name."""
    translate = _translation(language).gettext
    named = [(c.alpha_2, translate(c.name)) for c in pycountry.countries]
    return tuple(sorted(named, key=lambda pair: _sort_key(pair[1])))


def country_label(code: str, language: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return _translation(language).gettext(country.name) if country else code


def is_country(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code) is not None
