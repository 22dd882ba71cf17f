"""Looking cities up in the gazetteer table, and the distance between two points."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from sqlalchemy import case, or_, select

from organizer.extensions import db
from organizer.places.models import City

EARTH_RADIUS_KM = 6371.0088
SUGGESTIONS = 8


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


def fold(name: str) -> str:
    """Lower case without accents: "Zürich" and "zurich" are one city."""
    decomposed = unicodedata.normalize("NFKD", name.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _like_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def suggest(typed: str, country: str = "", limit: int = SUGGESTIONS) -> list[City]:
    """The most populous cities whose name, or one of its other names, starts with
    ``typed``."""
    folded = fold(typed)[:100]
    if len(folded) < 2:
        return []
    by_name = City.ascii_name.like(_like_prefix(folded), escape="\\")
    by_other = City.search_names.like("%," + _like_prefix(typed.strip().lower()), escape="\\")
    statement = select(City).where(or_(by_name, by_other))
    if country:
        statement = statement.where(City.country == country.upper())
    # Its own name first: "Par" is Paris before Perth, whose Latin name begins so too.
    first = case((by_name, 0), else_=1)
    statement = statement.order_by(first, City.population.desc(), City.id).limit(limit)
    return list(db.session.scalars(statement))


def find(city: str, country: str) -> City | None:
    """The most populous city of ``country`` called ``city``, by its name or another."""
    if not city.strip() or not country:
        return None
    exact = select(City).where(City.country == country.upper())
    by_name = exact.where(City.ascii_name == fold(city))
    by_other = exact.where(City.search_names.contains("," + city.strip().lower() + ","))
    for statement in (by_name, by_other):
        found = db.session.scalars(statement.order_by(City.population.desc()).limit(1)).first()
        if found is not None:
            return found
    return None


def by_id(city_id: int) -> City | None:
    return db.session.get(City, city_id)


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine); a city's centre is as precise as we are."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
