"""The supporter list's consent rule on the API (DESIGN.md decision 13).

- A write token brings people in unsubscribed; it may always unsubscribe someone.
- Only an import token may subscribe someone, or count an action confirmed elsewhere, and
  only by naming the consent text the person was shown (``action_network:consent``). That
  text is recorded (as its fingerprint in the consent history, in full in the audit log).
- Nothing turns "unsubscribed" into "subscribed" without that attestation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l

from organizer.api.models import ApiScope
from organizer.api.tokens import ActiveToken
from organizer.api.write_input import SUBSCRIBED, WriteError
from organizer.api.write_models import ConsentIn
from organizer.db import utcnow
from organizer.supporters.importing import text_version

# The consent event's source for what an API token attested.
SOURCE = "api"
# Somewhere on Earth (UTC+14) it is already tomorrow.
EARLIEST_ZONE = timedelta(hours=14)


@dataclass(frozen=True)
class Attestation:
    wording: str
    agreed_on: date | None

    @property
    def version(self) -> str:
        # The CSV import's fingerprint: one wording has one version whichever way it came.
        return text_version(self.wording)

    @property
    def agreed_at(self) -> datetime | None:
        return datetime.combine(self.agreed_on, time(), tzinfo=UTC) if self.agreed_on else None

    def details(self) -> dict[str, object]:
        """What the audit entry keeps: the whole wording, its version and the date."""
        return {
            "consent_wording": self.wording,
            "text_version": self.version,
            "agreed_on": self.agreed_on.isoformat() if self.agreed_on else None,
        }


def can_write(token: ActiveToken) -> bool:
    return bool({ApiScope.WRITE.value, ApiScope.IMPORT.value} & set(token.scopes))


def attestation(token: ActiveToken, given: ConsentIn | None) -> Attestation | None:
    """The attestation of the request, refused unless the token has the import scope."""
    if given is None:
        return None
    if ApiScope.IMPORT.value not in token.scopes:
        raise WriteError(403, _l("Only a token with the import scope may attest consent "
                                 "given elsewhere."))  # fmt: skip
    wording = " ".join(given.text.split())
    if not wording:
        raise WriteError(400, _l("Give the consent text the person was shown."))
    if given.agreed_on is not None and given.agreed_on > (utcnow() + EARLIEST_ZONE).date():
        raise WriteError(400, _l("The date of the consent cannot be in the future."))
    return Attestation(wording, given.agreed_on)


def check_subscribe(status: str | None, attested: Attestation | None, *, invite: bool) -> None:
    """Refuse a request to subscribe that names no consent text. With an invitation asked
    for (triggers.autoresponse), the person is asked by email instead."""
    if status == SUBSCRIBED and attested is None and not invite:
        raise WriteError(
            422,
            _l("Subscribing a person needs a token with the import scope and the consent "
               "text they agreed to (action_network:consent). Otherwise ask them: set "
               "triggers.autoresponse.enabled and they are invited by email."),
        )  # fmt: skip
