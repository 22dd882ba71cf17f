"""The baseline as granian loads it, with the garbage-collector settings that Cahier gets
from deploy/wsgi.py (and from deploy/gunicorn.conf.py under gunicorn)."""

import gc

from tests.bench.baseline_app import app as baseline

gc.freeze()
gc.set_threshold(50_000, 20, 100)

__all__ = ["baseline"]
