"""The beat schedule, in one place. Intervals come from configuration so tests need not wait."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def beat_schedule(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        "mail-sweep": {
            "task": "mail.sweep",
            "schedule": float(config["OUTBOX_SWEEP_INTERVAL_SECONDS"]),
        },
    }
