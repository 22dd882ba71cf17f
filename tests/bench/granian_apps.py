"""The baseline as granian loads it, prepared as Cahier's workers are (organizer.serving,
which deploy/wsgi.py calls, and deploy/gunicorn.conf.py under gunicorn)."""

from organizer.serving import prepare_web_worker
from tests.bench.baseline_app import app as baseline

prepare_web_worker()

__all__ = ["baseline"]
