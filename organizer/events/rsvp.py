"""RSVPs: asking for places, confirming by email, the waitlist, cancelling, party sizes.

Capacity counts the party sizes of guests who are going. Every change to who holds a place
first takes the event's row lock (:func:`lock`), so that two cancellations at the same
moment can neither over-fill the event nor promote the same guest twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from organizer.accounts.models import User
from organizer.api import webhooks
from organizer.api.models import WebhookEvent
from organizer.db import utcnow
from organizer.events import notices, reminders
from organizer.events.links import manage_url
from organizer.events.models import RSVP, Event, RSVPStatus
from organizer.events.publicview import guest_view, public_view
from organizer.events.tokens import hash_token, new_token
from organizer.extensions import db
from organizer.mail.services import queue_email
from organizer.supporters.from_actions import rsvp_confirmed
from organizer.urls import external_url

HOLDING = (RSVPStatus.GOING, RSVPStatus.WAITLISTED)


class RSVPError(ValueError):
    """A request the rules refuse; the message is for the person (already translated)."""


class WaitlistOffer(RSVPError):
    """The party fits the screening but not the places left: the guest may take the
    waitlist, if they say so."""

    def __init__(self, places_left: int, party_size: int) -> None:
        self.places_left = places_left
        super().__init__(
            ngettext(
                "Only %(num)d place is left, so a party of %(size)d goes on the waitlist.",
                "Only %(num)d places are left, so a party of %(size)d goes on the waitlist.",
                places_left,
                size=party_size,
            )
        )


def lock(event: Event) -> Event:
    """Take the event's row lock, and read the event afresh under it."""
    locked = db.session.scalar(
        select(Event)
        .where(Event.id == event.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert locked is not None
    return locked


def places_taken(event: Event) -> int:
    total = db.session.scalar(
        select(func.coalesce(func.sum(RSVP.party_size), 0)).where(
            RSVP.event_id == event.id, RSVP.status == RSVPStatus.GOING
        )
    )
    return int(total or 0)


def places_left(event: Event) -> int:
    return max(0, event.capacity - places_taken(event))


def waitlist(event: Event) -> list[RSVP]:
    return list(
        db.session.scalars(
            select(RSVP)
            .where(RSVP.event_id == event.id, RSVP.status == RSVPStatus.WAITLISTED)
            .order_by(RSVP.waitlisted_at, RSVP.id)
            .execution_options(populate_existing=True)
        )
    )


# --- Asking for a place ------------------------------------------------------------------------


@dataclass(frozen=True)
class RSVPRequest:
    rsvp: RSVP
    confirmed: bool  # True when no email confirmation was needed (a verified account)
    confirm_token: str | None = None  # the link's token; it also went out by email


def _normalize_email(raw: str) -> str:
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise RSVPError(_("Enter a valid email address.")) from None


def max_party() -> int:
    return int(current_app.config["EVENT_MAX_PARTY_SIZE"])


def _check_party(party_size: int, event: Event) -> None:
    maximum = max_party()
    if not 1 <= party_size <= maximum:
        raise RSVPError(
            ngettext(
                "A party is at most %(num)d person.", "A party is 1 to %(num)d people.", maximum
            )
        )
    if party_size > event.capacity:
        raise RSVPError(
            ngettext(
                "This screening has %(num)d place in all: a party of %(size)d cannot fit.",
                "This screening has %(num)d places in all: a party of %(size)d cannot fit.",
                event.capacity,
                size=party_size,
            )
        )


def request_place(
    event: Event,
    name: str,
    raw_email: str,
    party_size: int,
    locale: str,
    user: User | None,
    accept_waitlist: bool = False,
    source: str | None = None,
    confirmed_elsewhere: bool = False,
) -> RSVPRequest:
    """Ask for places. A guest with a verified account under that address is seated at
    once, and so is one an API import token says confirmed elsewhere; anyone else is sent
    a confirmation link first, whatever the address's history, so the answer never tells
    a stranger who is coming."""
    if not event.is_open:
        raise RSVPError(_("This screening no longer takes RSVPs."))
    email = _normalize_email(raw_email)
    _check_party(party_size, event)
    if not name.strip():
        raise RSVPError(_("Enter your name."))
    existing = db.session.scalar(select(RSVP).where(RSVP.event_id == event.id, RSVP.email == email))
    if existing is not None and existing.status in HOLDING:
        _email_status(existing, "rsvp_link")
        return RSVPRequest(existing, confirmed=False)
    left = places_left(event)
    # A full screening says so on its page, and its button is "join the waitlist"; a party
    # that is only too big for the places left must be told before it is queued.
    if 0 < left < party_size and not accept_waitlist:
        raise WaitlistOffer(left, party_size)
    # A registered code (organizer.sources); asking again keeps the first request's.
    guest = existing or RSVP(event_id=event.id, email=email, source=source)
    guest.name, guest.party_size, guest.locale = name.strip(), party_size, locale
    guest.status, guest.cancelled_at = RSVPStatus.PENDING, None
    # Asking for oneself, even after a host once added this address: one's own consent now.
    guest.added_by_host = False
    db.session.add(guest)
    trusted = user is not None and user.is_verified and user.email == email
    if trusted or confirmed_elsewhere:
        if trusted and user is not None:
            guest.user_id = user.id
        db.session.flush()
        _seat(lock(event), guest)
        return RSVPRequest(guest, confirmed=True)
    token, guest.confirm_token_hash = new_token()
    db.session.flush()
    queue_email(
        to=email, template="rsvp_confirm", locale=locale,
        context={"event": public_view(event), "rsvp": guest,
                 "confirm_url": external_url("events.confirm_rsvp", token=token)},
        related=("rsvp", guest.id),
    )  # fmt: skip
    return RSVPRequest(guest, confirmed=False, confirm_token=token)


def pending_by_confirm_token(token: str) -> RSVP | None:
    if not token or len(token) > 128:
        return None
    return db.session.scalar(
        select(RSVP).where(
            RSVP.confirm_token_hash == hash_token(token), RSVP.status == RSVPStatus.PENDING
        )
    )


def confirm(token: str) -> RSVP | None:
    """The POST behind the emailed link: single use, then the guest is seated or queued."""
    guest = pending_by_confirm_token(token)
    if guest is None:
        return None
    guest.confirm_token_hash = None
    event = lock(guest.event)
    if not event.is_open:
        raise RSVPError(_("This screening no longer takes RSVPs."))
    _seat(event, guest)
    return guest


def _seat(event: Event, guest: RSVP) -> None:
    """Going if the party fits in the places left, else at the end of the waitlist."""
    now = utcnow()
    guest.confirmed_at = guest.confirmed_at or now
    rsvp_confirmed(guest)
    if guest.party_size <= event.capacity - places_taken(event):
        guest.status = RSVPStatus.GOING
        db.session.flush()
        reminders.schedule(guest)
        _email_status(guest, "rsvp_going")
    else:
        guest.status = RSVPStatus.WAITLISTED
        guest.waitlisted_at = now
        db.session.flush()
        _email_status(guest, "rsvp_waitlisted")
    notices.rsvp_arrived(guest)
    webhooks.rsvp_changed(guest, WebhookEvent.RSVP_CREATED)


def _email_status(guest: RSVP, template: str) -> None:
    event = guest.event
    going = guest.status == RSVPStatus.GOING
    view = guest_view(event) if going else public_view(event)
    queue_email(
        to=guest.email, template=template, locale=guest.locale,
        context={"event": view, "rsvp": guest,
                 "manage_url": manage_url(guest), "promoted": template == "rsvp_promoted",
                 "event_url": external_url("events.detail", event_id=event.id)},
        related=("rsvp", guest.id),
        # A guest with a place gets the calendar entry; a waiting one has no date to keep.
        attachments=[notices.ics_attachment(view)] if going else [],
    )  # fmt: skip


# --- Changes ---------------------------------------------------------------------------------


def cancel(guest: RSVP) -> list[RSVP]:
    """Give the places back; returns the guests promoted from the waitlist into them."""
    event = lock(guest.event)
    db.session.refresh(guest)
    if guest.status not in (*HOLDING, RSVPStatus.PENDING):
        return []
    held = guest.status in HOLDING
    guest.status = RSVPStatus.CANCELLED
    guest.cancelled_at = utcnow()
    guest.confirm_token_hash = None
    db.session.flush()
    reminders.skip_for_rsvp(guest)
    if held:
        # A pending RSVP was never announced, so its cancellation is not either.
        webhooks.rsvp_changed(guest, WebhookEvent.RSVP_CANCELLED)
    return promote_waitlist(event)


def change_party_size(guest: RSVP, party_size: int) -> list[RSVP]:
    event = lock(guest.event)
    _check_party(party_size, event)
    db.session.refresh(guest)
    if guest.status not in HOLDING:
        raise RSVPError(_("This RSVP is cancelled."))
    if guest.status == RSVPStatus.GOING and party_size > guest.party_size:
        free = event.capacity - places_taken(event)
        if party_size - guest.party_size > free:
            raise RSVPError(
                ngettext(
                    "Only %(num)d more place is free.",
                    "Only %(num)d more places are free.",
                    max(0, free),
                )
            )
    guest.party_size = party_size
    db.session.flush()
    return promote_waitlist(event)


def promote_waitlist(event: Event) -> list[RSVP]:
    """Seat waitlisted guests, in queue order, whose party fits in the places left.
    The caller holds the event's lock."""
    if not event.is_open:
        return []
    free = event.capacity - places_taken(event)
    promoted: list[RSVP] = []
    for guest in waitlist(event):
        if free <= 0:
            break
        if guest.party_size <= free:
            guest.status = RSVPStatus.GOING
            free -= guest.party_size
            promoted.append(guest)
    db.session.flush()
    for guest in promoted:
        reminders.schedule(guest)
        _email_status(guest, "rsvp_promoted")
    return promoted


def guests(event: Event, statuses: tuple[RSVPStatus, ...] = HOLDING) -> list[RSVP]:
    return list(
        db.session.scalars(
            select(RSVP)
            .where(RSVP.event_id == event.id, RSVP.status.in_(statuses))
            .order_by(RSVP.status, RSVP.waitlisted_at, RSVP.confirmed_at, RSVP.id)
        )
    )


def rsvp_of_user(event: Event, user: Any) -> RSVP | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(RSVP).where(
            RSVP.event_id == event.id,
            RSVP.status.in_(HOLDING),
            (RSVP.user_id == user.id) | (RSVP.email == user.email),
        )
    )


# --- The host's own changes to the list ------------------------------------------------------


def add_by_host(event: Event, name: str, raw_email: str, party_size: int, locale: str) -> RSVP:
    """A guest the host seats themselves: no confirmation asked and no consent implied, so
    the guest gets their manage link and nothing else (no reminders, not a supporter)."""
    email = _normalize_email(raw_email)
    if not name.strip():
        raise RSVPError(_("Enter the guest's name."))
    event = lock(event)
    if not event.is_open:
        raise RSVPError(_("Guests can only be added to an approved screening still to come."))
    _check_party(party_size, event)
    existing = db.session.scalar(select(RSVP).where(RSVP.event_id == event.id, RSVP.email == email))
    if existing is not None and existing.status in HOLDING:
        raise RSVPError(_("This person is already on the guest list."))
    if party_size > places_left(event):
        raise RSVPError(_("There are not enough places left for this party."))
    guest = existing or RSVP(event_id=event.id, email=email)
    guest.name, guest.party_size, guest.locale = name.strip(), party_size, locale
    guest.status, guest.added_by_host = RSVPStatus.GOING, True
    guest.confirmed_at, guest.cancelled_at, guest.confirm_token_hash = utcnow(), None, None
    guest.host_notified_at = utcnow()
    db.session.add(guest)
    db.session.flush()
    _email_status(guest, "rsvp_added")
    webhooks.rsvp_changed(guest, WebhookEvent.RSVP_CREATED)
    return guest


def remove_by_host(event: Event, guest_id: int) -> RSVP:
    guest = db.session.get(RSVP, guest_id)
    if guest is None or guest.event_id != event.id or guest.status not in HOLDING:
        raise RSVPError(_("This guest is not on the list any more."))
    cancel(guest)
    queue_email(
        to=guest.email, template="rsvp_removed", locale=guest.locale,
        context={"event": public_view(event), "rsvp": guest,
                 "event_url": external_url("events.detail", event_id=event.id)},
        related=("rsvp", guest.id),
    )  # fmt: skip
    return guest
