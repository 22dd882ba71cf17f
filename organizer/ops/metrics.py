"""Prometheus metrics at /metrics, for allowed addresses or a bearer token.

Request counters live in each process (multiprocess mode under gunicorn when
PROMETHEUS_MULTIPROC_DIR is set). Figures that belong to the whole deployment (outbox depth,
signatures, task failures counted by every worker in Redis) are read at scrape time.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import os
import time
from collections.abc import Iterator
from typing import Any

import redis
from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from organizer.db import utcnow
from organizer.extensions import db
from organizer.mail.models import EmailStatus, OutboundEmail

TASK_FAILURES_KEY = "cahier:metrics:task_failures"

REQUESTS = Counter("cahier_http_requests", "HTTP requests served", ["method", "endpoint", "status"])
LATENCY = Histogram(
    "cahier_http_request_duration_seconds",
    "Time to answer a request",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)

bp = Blueprint("metrics", __name__)


def init_metrics(app: Flask) -> None:
    app.before_request(_start_timer)
    app.after_request(_observe)
    app.register_blueprint(bp)


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.pop("metrics_started", None)
    if started is not None and request.endpoint != "metrics.scrape":
        endpoint = request.endpoint or "unmatched"
        REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
        LATENCY.labels(endpoint).observe(time.perf_counter() - started)
    return response


def _allowed() -> bool:
    token = current_app.config["METRICS_TOKEN"]
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and given and hmac.compare_digest(token, given):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    networks = current_app.config["METRICS_ALLOWED_NETWORKS"]
    return any(address in ipaddress.ip_network(net, strict=False) for net in networks)


@bp.get("/metrics")
def scrape() -> Response:
    if not _allowed():
        abort(404)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(DeploymentCollector())
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


class DeploymentCollector(Collector):
    """Figures read from the database and Redis when Prometheus asks."""

    def collect(self) -> Iterator[Any]:
        depth, oldest = db.session.execute(
            select(func.count(), func.min(OutboundEmail.created_at)).where(
                OutboundEmail.status == EmailStatus.QUEUED
            )
        ).one()
        yield GaugeMetricFamily("cahier_outbox_queued", "Emails waiting to be sent", value=depth)
        age = (utcnow() - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "cahier_outbox_oldest_queued_age_seconds", "Age of the oldest queued email", value=age
        )
        failed = db.session.scalar(
            select(func.count()).where(OutboundEmail.status == EmailStatus.FAILED)
        )
        yield GaugeMetricFamily("cahier_outbox_failed", "Emails that failed for good", value=failed)
        yield from _signature_metrics()
        yield GaugeMetricFamily(
            "cahier_task_failures",
            "Celery task failures since Redis started",
            value=_task_failures(),
        )


def _signature_metrics() -> Iterator[Any]:
    try:
        from organizer.signatures.models import Signature
    except ImportError:  # the signatures domain is optional in this module's eyes
        return
    family = GaugeMetricFamily("cahier_signatures", "Signatures by status", labels=["status"])
    rows = db.session.execute(select(Signature.status, func.count()).group_by(Signature.status))
    for status, count in rows:
        family.add_metric([str(getattr(status, "value", status))], count)
    yield family


def _task_failures() -> float:
    try:
        client = redis.Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=1)
        return float(client.get(TASK_FAILURES_KEY) or 0)
    except redis.RedisError:
        return float("nan")


def count_task_failure(redis_url: str) -> None:
    """Celery's task_failure hook, in the worker: one more failure, seen by every web node."""
    with contextlib.suppress(redis.RedisError):
        redis.Redis.from_url(redis_url, socket_timeout=1).incr(TASK_FAILURES_KEY)
