"""Country choices with names in the visitor's language (Babel's CLDR territory names).

pycountry says which codes are countries (ISO 3166-1); Babel names them in the locale.
"""

from __future__ import annotations

import pycountry
from flask_babel import gettext as _

from organizer.i18n import territory_choices, territory_name

# ISO 3166-1 leaves ZZ to users; we use it for paper signatures whose country nobody noted.
UNKNOWN_COUNTRY = "ZZ"

COUNTRY_CODES = tuple(country.alpha_2 for country in pycountry.countries)


def countries(language: str) -> tuple[tuple[str, str], ...]:
    """(alpha-2 code, localized name), sorted by the localized name."""
    return territory_choices(COUNTRY_CODES, language)


def country_label(code: str, language: str) -> str:
    if code == UNKNOWN_COUNTRY:
        return _("Country unknown (paper)")
    return territory_name(code, language)


def is_country(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code) is not None
