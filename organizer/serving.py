"""What a web worker does once, after it has loaded the app and before it takes requests.

granian (deploy/wsgi.py) and gunicorn (deploy/gunicorn.conf.py's post_worker_init) both
call it.
"""

from __future__ import annotations

import gc

from sqlalchemy.orm import configure_mappers

# A request allocates tens of thousands of objects and frees them at its end: collecting
# young objects every 50,000 allocations rather than every 700 costs 5-15 % less CPU per
# API page, measured back to back (docs/performance.md).
YOUNG_COLLECTION_EVERY = 50_000


def prepare_web_worker() -> None:
    # The mappers are otherwise configured by the worker's first query: 115 ms of CPU inside
    # somebody's request (183 ms for that first API page instead of 18), while the worker's
    # other requests wait for it.
    configure_mappers()
    # The app is loaded: its modules, templates, metadata and mappers will live as long as
    # the worker. Frozen, the cycle collector stops walking them at every full collection,
    # which took 150-200 ms in the middle of a request now and then (the API's p99 went from
    # 200 to 30 ms).
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, 20, 100)
