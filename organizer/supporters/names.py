"""The words for a supporter's email status, consent sources and actions, as readers see
them: the signer's "my data" page and the organizers' supporter page use the same ones."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from organizer.supporters.models import SupporterStatus

EMAIL_STATUSES = {
    SupporterStatus.SUBSCRIBED: _l("Receives the group's updates"),
    SupporterStatus.UNSUBSCRIBED: _l("Receives no updates"),
    SupporterStatus.BOUNCING: _l("Mail to this address bounces"),
    SupporterStatus.COMPLAINED: _l("Marked an email as spam: receives no updates"),
}
# ConsentEvent.source_type: through what the consent was given or withdrawn.
CONSENT_SOURCES = {
    "signature": _l("signing a campaign"),
    "commitment": _l("committing to a pledge"),
    "rsvp": _l("an RSVP to a screening"),
    "import": _l("an import by the organizers, with the consent they attested"),
    "manage": _l("your choices on this page"),
    "unsubscribe": _l("an unsubscribe link"),
    "bounce": _l("mail that could not be delivered"),
    "complaint": _l("a spam report"),
    "erase": _l("erasing the data"),
    "api": _l("the organizers' tools"),
    "optin": _l("an invitation by email, which you accepted"),
}
ACTION_KINDS = {
    "signature": _l("Signature"),
    "commitment": _l("Pledge commitment"),
    "rsvp": _l("RSVP to a screening"),
}

ACTION_STATES = {
    "pending": _l("Waiting for confirmation"),
    "confirmed": _l("Confirmed"),
    "withdrawn": _l("Withdrawn"),
    "invalidated": _l("Not counted"),
    "going": _l("Going"),
    "waitlisted": _l("On the waitlist"),
    "cancelled": _l("Cancelled"),
}


def name_of(names: dict[str, object], key: str) -> str:
    return str(names.get(key, key))
