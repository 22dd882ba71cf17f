"""Absolute links for emails and documents, built from BASE_URL with or without a request."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values: Any) -> str:
    parts = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def is_safe_next(target: str) -> bool:
    """Only a path on this site may follow a login, never another host."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    return not urlsplit(target).netloc
