"""Cahier as granian serves it (deploy/docker-compose.yml; docs/deploy.md, "Why granian").

granian imports this module in each worker process, once the process has started: the
place where deploy/gunicorn.conf.py's post_worker_init hook tunes the garbage collector
under gunicorn, and for the same reason.
"""

import gc

from app import app

# The app is loaded: its modules, templates and metadata live as long as the worker.
# Frozen, the cycle collector stops walking them at every full collection (150-200 ms in the
# middle of a request now and then). A request allocates tens of thousands of objects and
# frees them at its end: collecting young objects every 50,000 allocations rather than
# every 700 costs 5-15 % less CPU per request (docs/performance.md).
gc.freeze()
gc.set_threshold(50_000, 20, 100)

__all__ = ["app"]
