"""Names of places and languages come from Babel in the reader's locale, sorted for them."""

from __future__ import annotations

from organizer import i18n
from organizer.campaigns.forms import LANGUAGE_CODES
from organizer.signatures.countries import countries, country_label


def test_countries_and_the_eu_are_named_in_the_readers_language():
    assert country_label("US", "fr") == "États-Unis"
    assert country_label("GB", "fr") == "Royaume-Uni"
    assert country_label("US", "en") == "United States"
    assert i18n.territory_name("EU", "fr") == "Union européenne"
    assert i18n.territory_name("EU", "en") == "European Union"


def test_country_choices_sort_accented_names_with_their_letter():
    names = [name for _code, name in countries("fr")]
    assert names.index("Égypte") < names.index("Érythrée") < names.index("Espagne")
    assert names.index("Afrique du Sud") < names.index("Égypte") < names.index("Fidji")


def test_languages_are_named_and_sorted_in_the_readers_language():
    french = [name for _code, name in i18n.language_choices(LANGUAGE_CODES, "fr")]
    assert "français" in french and "anglais" in french and "French" not in french
    assert french == sorted(french, key=i18n.sort_key)
    assert french[0].lower().startswith("a")
    assert i18n.language_name("fr", "en") == "French"
