"""Cahier as granian serves it (deploy/docker-compose.yml; docs/deploy.md, "Why granian").

granian imports this module in each worker process, once the process has started: the
place to prepare the worker, as deploy/gunicorn.conf.py's post_worker_init hook does under
gunicorn.
"""

from app import app
from organizer.serving import prepare_web_worker

prepare_web_worker()

__all__ = ["app"]
