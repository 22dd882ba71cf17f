"""Screening tasks: the reminder sweep that beat runs every minute, and the hosts' daily
RSVP digest."""

from __future__ import annotations

from celery import shared_task

from organizer.events import notices, reminders


@shared_task(name="events.send_due_reminders")
def send_due_reminders() -> int:
    # The task base class commits: outbox rows and "sent" marks land together, or neither.
    return reminders.send_due()


@shared_task(name="events.send_rsvp_digests")
def send_rsvp_digests() -> int:
    # Claimed rows and their digests commit together, as the reminders do.
    return notices.send_digests()
