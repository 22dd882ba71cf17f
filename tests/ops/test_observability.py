from __future__ import annotations

import json
import logging
import re

import pytest

from organizer.ops.logs import RequestIdFilter, configure_logging
from organizer.ops.metrics import TASK_FAILURES_KEY, count_task_failure
from tests.support.web import submit


def test_each_response_carries_a_request_id(client):
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", generated)
    given = client.get("/healthz", headers={"X-Request-ID": "edge-42"})
    assert given.headers["X-Request-ID"] == "edge-42"
    hostile = client.get("/healthz", headers={"X-Request-ID": "a b;<forged>"})
    assert hostile.headers["X-Request-ID"] != "a b;<forged>"


def test_json_logs_carry_the_request_id(app, db_session, capsys):
    configure_logging(json_logs=True)
    try:
        with app.test_request_context("/", headers={"X-Request-ID": "req-json-1"}):
            app.preprocess_request()  # runs the before-request hooks, as a request would
            logging.getLogger("organizer.test").warning("hello %s", "world")
    finally:
        configure_logging(json_logs=False)
    lines = [
        json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")
    ]
    [record] = [line for line in lines if line.get("message") == "hello world"]
    assert record["request_id"] == "req-json-1"
    assert record["level"] == "WARNING"
    assert record["logger"] == "organizer.test"


def test_the_filter_leaves_no_id_outside_a_request():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    RequestIdFilter().filter(record)
    assert record.request_id is None


@pytest.mark.integration
def test_the_request_id_follows_the_email_into_the_worker(app, services, committed_db, worker):
    client = app.test_client()
    response = submit(
        client,
        "/account/register",
        {
            "display_name": "Ida",
            "email": "ida@example.org",
            "password": "tulips in the rain at dawn",
        },
        headers={"X-Request-ID": "trace-signup-7"},
    )
    assert response.headers["X-Request-ID"] == "trace-signup-7"
    services.smtp.wait_for_message("ida@example.org")
    from tests.support.services import wait_for

    wait_for(
        lambda: re.search(
            # Alone, or in a batch with other requests' emails (organizer.mail.dispatch).
            r"\[trace-signup-7\] organizer\.mail\.services: emails? [\d ]+ "
            r"\(verify_email\) sent",
            worker.log(),
        ),
        what="the worker's log line with the request id",
    )


def test_metrics_are_served_to_allowed_addresses(client):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert 'cahier_http_requests_total{endpoint="core.healthz",method="GET",status="200"}' in text
    assert "cahier_http_request_duration_seconds_bucket" in text
    assert "cahier_outbox_queued " in text
    assert "cahier_outbox_oldest_queued_age_seconds " in text
    assert "cahier_task_failures " in text


def test_metrics_are_hidden_from_others_unless_they_bring_the_token(app, client):
    outsider = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=outsider).status_code == 404
    app.config["METRICS_TOKEN"] = "s3cret-token"
    try:
        wrong = client.get(
            "/metrics", environ_base=outsider, headers={"Authorization": "Bearer nope"}
        )
        right = client.get(
            "/metrics", environ_base=outsider, headers={"Authorization": "Bearer s3cret-token"}
        )
    finally:
        app.config["METRICS_TOKEN"] = ""
    assert wrong.status_code == 404
    assert right.status_code == 200


def test_task_failures_are_counted_across_processes(app, client, services):
    import redis

    store = redis.Redis.from_url(services.redis.url)
    before = int(store.get(TASK_FAILURES_KEY) or 0)
    count_task_failure(services.redis.url)
    assert int(store.get(TASK_FAILURES_KEY)) == before + 1
    assert f"cahier_task_failures {before + 1}.0" in client.get("/metrics").get_data(as_text=True)
