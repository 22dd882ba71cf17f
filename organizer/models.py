"""Imports every domain's models so that metadata (and Alembic) sees all tables."""

from organizer.accounts.models import User
from organizer.mail.models import CapturedEmail, OutboundEmail

__all__ = ["CapturedEmail", "OutboundEmail", "User"]
