"""The audit trail of letters: every organizer and delivery action, in the caller's transaction."""

from __future__ import annotations

from typing import Any

from organizer.accounts.models import User
from organizer.audit.services import record
from organizer.letters.models import Letter


def log(actor: User | None, action: str, letter: Letter, **details: Any) -> None:
    record(actor, action, "letter", letter.id, {"campaign_id": letter.campaign_id, **details})
