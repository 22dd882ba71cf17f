"""The clock the events domain reads. Time is moved by configuration, never by sleeping:
``CLOCK_OFFSET_SECONDS`` shifts it, so a test or a demo can make reminders fall due."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, has_app_context

from organizer.db import utcnow


def now() -> datetime:
    offset = current_app.config.get("CLOCK_OFFSET_SECONDS", 0) if has_app_context() else 0
    return utcnow() + timedelta(seconds=float(offset or 0))
