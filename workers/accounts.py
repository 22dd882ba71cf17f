"""Account tasks."""

from __future__ import annotations

from celery import shared_task

from organizer.accounts import services


@shared_task(name=services.PASSWORD_RESET_TASK)
def password_reset(raw_email: str, locale: str) -> None:
    services.request_password_reset(raw_email, locale)
