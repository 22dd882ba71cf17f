"""Helpers for driving forms through Flask's test client, CSRF token included."""

from __future__ import annotations

import re
from typing import Any

CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'type="hidden" name="csrf_token" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return next(group for group in match.groups() if group)


def submit(client: Any, url: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """GET the form's page, then POST ``data`` with the page's CSRF token."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(
        url, data={**data, "csrf_token": csrf_token(page.get_data(as_text=True))}, **kwargs
    )
