"""Where signers are, as a letter says it: "in the United States", "aux États-Unis".

Babel gives country names in each language but not the article or preposition that goes
with them, and CLDR has no data for it. The rules below are the grammar books' rules
(English "the" for plural and "United …" names; French "au", "aux", "en" by gender and
number), with the exceptions that a letter to the bodies we know can meet listed by code.
A language without rules here gets "in"/"dans" before the plain name, which is never wrong.
"""

from __future__ import annotations

from babel import Locale

from organizer.letters.routing import EU

EU_NAMES = {"en": "the European Union", "fr": "l’Union européenne"}  # noqa: RUF001
# fmt: off
# English names that take "the" (Babel spells them without it).
EN_WITH_THE = frozenset({"US", "GB", "NL", "PH", "AE", "BS", "GM", "MV", "KM", "CF", "DO", "CD",
                         "CG", "KY", "VA", "FK", "FO", "MH", "SB", "TC", "VG", "VI", "CZ"})
# French names by the preposition they take; the rest follow the gender rule below.
FR_AUX = frozenset({"US", "NL", "PH", "AE", "BS", "KM", "MV", "MH", "SB", "KY", "FK", "FO",
                    "TC", "VG", "VI", "SC"})
FR_AU = frozenset({"MX", "KH", "MZ", "ZW", "BZ", "SR"})  # masculine although they end in -e
FR_EN_ARTICLELESS = frozenset({"IL", "HT"})  # "en Israël", "en Haïti"
# Islands and city-states: "à Malte", "à Singapour".
FR_A = frozenset({"SG", "MC", "MT", "CY", "CU", "MG", "TW", "BH", "HK", "MO", "MU", "KI"})
# fmt: on


def country_name(code: str, language: str) -> str:
    if code == EU:
        return EU_NAMES.get(language, EU_NAMES["en"])
    name: str = Locale.parse(language).territories.get(code, code)
    return name


def _english(code: str) -> str:
    name = country_name(code, "en")
    return f"the {name}" if code in EN_WITH_THE else name


def _french(code: str) -> str:
    name = country_name(code, "fr")
    if code == EU:
        return f"dans {name}"
    if code in FR_AUX:
        return f"aux {name}"
    if code in FR_A:
        return f"à {name}"
    if code in FR_AU:
        return f"au {name}"
    if code in FR_EN_ARTICLELESS or name[:1].lower() in "aeiouyéèêîïôâh":
        return f"en {name}"
    # Feminine names end in -e: "en France"; masculine ones take "au": "au Canada".
    return f"en {name}" if name.endswith("e") else f"au {name}"


def _join(parts: list[str], language: str) -> str:
    word = {"fr": "et"}.get(language, "and")
    if len(parts) < 2:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {word} {parts[-1]}"


def in_places(codes: list[str], language: str) -> str:
    """ "in the United States and the United Kingdom", "aux États-Unis et au Royaume-Uni"."""
    if language == "fr":
        return _join([_french(code) for code in codes], language)
    if language == "en":
        return "in " + _join([_english(code) for code in codes], language)
    return "in " + _join([country_name(code, language) for code in codes], language)
