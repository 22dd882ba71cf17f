"""Screening tasks: the reminder sweep that beat runs every minute."""

from __future__ import annotations

from celery import shared_task

from organizer.events import reminders


@shared_task(name="events.send_due_reminders")
def send_due_reminders() -> int:
    # The task base class commits: outbox rows and "sent" marks land together, or neither.
    return reminders.send_due()
