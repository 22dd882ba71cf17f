"""Builds the Celery app that belongs to a Flask app (after the Flask Celery example)."""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.signals import before_task_publish, task_failure
from flask import Flask
from kombu import Queue

from organizer.embedded_redis import for_kombu
from organizer.ops.logs import publish_headers
from organizer.ops.metrics import count_task_failure
from workers.base import AppTask
from workers.schedule import beat_schedule

DEFAULT_QUEUE = "celery"
# The count fold runs every half second and must never wait behind a backlog of mail (a
# spike queues thousands of confirmations): it has a queue of its own. A worker started
# without -Q consumes both; a deployment may give "counts" a small worker of its own.
COUNTS_QUEUE = "counts"

TASK_MODULES = [
    "workers.accounts",
    "workers.events",
    "workers.letters",
    "workers.mail",
    "workers.mailings",
    "workers.signatures",
    "workers.supporters",
    "workers.webhooks",
]


def celery_init_app(app: Flask) -> Celery:
    task_cls = type("FlaskAppTask", (AppTask,), {"abstract": True, "flask_app": app})
    broker = for_kombu(app.config["REDIS_URL"])
    celery = Celery(app.name, task_cls=task_cls, include=TASK_MODULES)
    celery.conf.update(
        broker_url=broker,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=4,
        task_default_queue=DEFAULT_QUEUE,
        task_queues=(Queue(DEFAULT_QUEUE), Queue(COUNTS_QUEUE)),
        task_routes={"signatures.fold_counts": {"queue": COUNTS_QUEUE}},
        broker_connection_retry_on_startup=True,
        # Publishing never blocks a request: a failed publish is left to the sweepers.
        task_publish_retry=False,
        broker_transport_options={"socket_connect_timeout": 2, "socket_timeout": 5},
        beat_schedule=beat_schedule(app.config),
        beat_schedule_filename=app.config["CELERY_BEAT_SCHEDULE_FILE"],
        timezone="UTC",
        enable_utc=True,
        worker_hijack_root_logger=False,
    )
    celery.conf.update(app.config.get("CELERY", {}))
    _connect_signals(app.config["REDIS_URL"])
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def _connect_signals(redis_url: str) -> None:
    def carry_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
        if headers is not None:
            publish_headers(headers)

    def count_failure(**_: Any) -> None:
        count_task_failure(redis_url)

    # Strong references: these closures would otherwise be collected at once.
    before_task_publish.connect(carry_request_id, weak=False, dispatch_uid="cahier-request-id")
    task_failure.connect(count_failure, weak=False, dispatch_uid="cahier-task-failures")
