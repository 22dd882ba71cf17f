"""The beat schedule, in one place."""

from __future__ import annotations

from typing import Any

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "mail-sweep": {"task": "mail.sweep", "schedule": 30.0},
}
