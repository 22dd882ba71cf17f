"""The record attendance helper and PUT on attendances, through organizer.events.rsvp:
capacity, the waitlist and the confirmation email are its rules, not ours.

From a write token, the guest is sent the confirmation link like anyone who asks on the
page, and is seated (or waitlisted) when they confirm. An import token that attests the
RSVP was confirmed elsewhere has the guest seated or waitlisted at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from organizer.api import write_audit
from organizer.api.consent import SOURCE, Attestation, check_subscribe
from organizer.api.people_write import tag_by_names
from organizer.api.tokens import ActiveToken
from organizer.api.write_input import SUBSCRIBED, PersonInput, WriteError, merged_name
from organizer.events import rsvp
from organizer.events.models import RSVP, Event, RSVPStatus
from organizer.extensions import db
from organizer.supporters.models import Supporter, SupporterStatus
from organizer.supporters.status import change_status, supporter_for

ACCEPTED = "accepted"
DECLINED = {"declined", "cancelled"}


@dataclass(frozen=True)
class Recorded:
    rsvp: RSVP
    created: bool


def record(
    token: ActiveToken,
    event: Event,
    person: PersonInput,
    *,
    source: str | None,
    add_tags: list[str],
    attested: Attestation | None,
) -> Recorded:
    address = person.address
    if address is None:
        raise WriteError(400, _l("An attendance needs the person's email address."))
    check_subscribe(person.status, attested, invite=False)
    email = address.email.lower()
    existing = db.session.scalar(select(RSVP).where(RSVP.event_id == event.id, RSVP.email == email))
    if existing is not None and existing.status in rsvp.HOLDING:
        # Already on the list: nothing changes, and nobody is mailed again.
        return Recorded(existing, created=False)
    supporter = supporter_for(token.group_id, address.canonical)
    name = merged_name(person, supporter.name if supporter else "") or email.partition("@")[0]
    try:
        asked = rsvp.request_place(
            event, name, email, 1, person.language or event.campaign.language, None,
            accept_waitlist=True, source=source, confirmed_elsewhere=attested is not None,
        )  # fmt: skip
    except rsvp.RSVPError as exc:
        raise WriteError(409, exc) from None
    guest = asked.rsvp
    details: dict[str, object] = {"campaign": event.campaign_id, "rsvp": guest.id,
                                  "confirmed_elsewhere": attested is not None}  # fmt: skip
    if attested is not None:
        details.update(attested.details())
    entry = write_audit.record(token, "api.attendance_recorded", "rsvp", guest.id, **details)
    holder = _supporter(guest) or supporter
    if holder is not None and attested is not None and person.status == SUBSCRIBED:
        change_status(holder, SupporterStatus.SUBSCRIBED, source_type=SOURCE,
                      source_id=entry.id, text_version=attested.version)  # fmt: skip
    if holder is not None and holder.erased_at is None:
        tag_by_names(holder, add_tags)
    db.session.flush()
    return Recorded(guest, created=existing is None)


def _supporter(guest: RSVP) -> Supporter | None:
    return db.session.get(Supporter, guest.supporter_id) if guest.supporter_id else None


def update(token: ActiveToken, guest: RSVP, status: str | None) -> RSVP:
    wanted = (status or "").strip().lower()
    if not wanted:
        raise WriteError(400, _l("Say which status: accepted or declined."))
    if wanted in DECLINED:
        rsvp.cancel(guest)
    elif wanted == ACCEPTED:
        _accept(guest)
    else:
        raise WriteError(400, _l("%(value)s is not a status Cahier sets: use accepted or "
                                 "declined.", value=status))  # fmt: skip
    write_audit.record(token, "api.attendance_updated", "rsvp", guest.id,
                       campaign=guest.event.campaign_id, status=wanted)  # fmt: skip
    db.session.flush()
    return guest


def _accept(guest: RSVP) -> None:
    if guest.status == RSVPStatus.GOING:
        return
    if guest.status == RSVPStatus.CANCELLED:
        # Asking again, as the guest would on the page: a confirmation link, then a seat.
        try:
            rsvp.request_place(guest.event, guest.name, guest.email, guest.party_size,
                               guest.locale, None, accept_waitlist=True)  # fmt: skip
        except rsvp.RSVPError as exc:
            raise WriteError(409, exc) from None
        return
    if guest.status == RSVPStatus.WAITLISTED:
        raise WriteError(409, _l("The guest is on the waitlist: they are seated in turn when "
                                 "a place frees up."))  # fmt: skip
    raise WriteError(409, _l("The guest has not confirmed their address yet; they are "
                             "seated when they do."))  # fmt: skip
