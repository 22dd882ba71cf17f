"""Structured JSON logs, each line carrying the id of the request (or task) it belongs to.

The request id comes from the proxy's X-Request-ID header when it sent one, is echoed in the
response, and travels in the headers of every Celery task the request enqueues, so one id
follows a signature from the POST to the email it caused.
"""

from __future__ import annotations

import logging
import re
import secrets
import sys
from contextvars import ContextVar
from typing import Any

from flask import Flask, Response, request
from pythonjsonlogger.json import JsonFormatter

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def configure_logging(json_logs: bool, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if json_logs:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
        )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)


def new_request_id() -> str:
    return secrets.token_hex(8)


def init_request_ids(app: Flask) -> None:
    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id_var.set(incoming if _VALID_ID.match(incoming) else new_request_id())

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        request_id = request_id_var.get()
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response

    @app.teardown_request
    def forget_request_id(_exc: BaseException | None) -> None:
        request_id_var.set(None)


def publish_headers(headers: dict[str, Any]) -> None:
    """Celery's before_task_publish hook: carry the current request id in the message."""
    request_id = request_id_var.get()
    if request_id and "request_id" not in headers:
        headers["request_id"] = request_id
