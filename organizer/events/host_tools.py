"""What a host does with their screening: the guest list and its CSV, a message to every
guest (through the outbox), and after the screening, attendance and a short report."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from organizer.accounts.models import User
from organizer.events import clock
from organizer.events.links import manage_url
from organizer.events.models import RSVP, Event, EventReport, EventStatus, RSVPStatus
from organizer.events.publicview import guest_view
from organizer.events.rsvp import HOLDING, guests
from organizer.extensions import db
from organizer.mail.services import queue_email
from organizer.urls import external_url

CSV_COLUMNS = ("name", "email", "party_size", "status", "confirmed_at", "attended")
MAX_ATTENDEES = 1_000_000


class HostError(ValueError):
    """A request the rules refuse; the message is for the person (already translated)."""


def _cell(value: str) -> str:
    # A name like "=HYPERLINK(...)" must stay text when the file is opened in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def guest_csv(event: Event) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for guest in guests(event):
        writer.writerow(
            [
                _cell(guest.name),
                _cell(guest.email),
                guest.party_size,
                guest.status.value,
                guest.confirmed_at.isoformat() if guest.confirmed_at else "",
                "" if guest.attended is None else ("yes" if guest.attended else "no"),
            ]
        )
    return out.getvalue()


RECIPIENTS: dict[str, tuple[RSVPStatus, ...]] = {
    "going": (RSVPStatus.GOING,),
    "waitlisted": (RSVPStatus.WAITLISTED,),
    "all": HOLDING,
}


def message_guests(
    event: Event, sender: User, subject: str, body: str, recipients: str = "going"
) -> int:
    """One outbox row per guest of the chosen group; replies go to the host. Returns the
    count."""
    if event.status not in (EventStatus.APPROVED, EventStatus.COMPLETED):
        raise HostError(_("Messages can only be sent for an approved screening."))
    if recipients not in RECIPIENTS:
        raise HostError(_("Choose who receives the message."))
    return _send(event, sender, subject, body, guests(event, RECIPIENTS[recipients]))


def _send(event: Event, sender: User, subject: str, body: str, chosen: list[RSVP]) -> int:
    subject, body = " ".join(subject.split()), body.strip()
    if not subject or not body:
        raise HostError(_("Write a subject and a message."))
    for guest in chosen:
        going = guest.status == RSVPStatus.GOING
        queue_email(
            to=guest.email, template="event_message", locale=guest.locale,
            context={"event": guest_view(event) if going else None, "title": event.title,
                     "subject": subject, "body": body, "host_name": sender.display_name,
                     "manage_url": manage_url(guest)},
            headers={"Reply-To": sender.email}, related=("rsvp", guest.id),
        )  # fmt: skip
    return len(chosen)


def follow_up(event: Event, sender: User, subject: str, body: str) -> int:
    """After the screening, to the guests marked as present. Returns the count."""
    if event.status != EventStatus.COMPLETED:
        raise HostError(_("Record who came first: the follow-up goes to them."))
    present = [g for g in guests(event, (RSVPStatus.GOING,)) if g.attended]
    if not present:
        raise HostError(_("No guest is marked as present."))
    return _send(event, sender, subject, body, present)


def follow_up_defaults(event: Event) -> tuple[str, str]:
    """The subject and text offered to the host: thanks, the sign link, what to do next."""
    campaign = event.campaign
    subject = _("Thank you for coming to “%(title)s”", title=event.title)
    body = _(
        "Thank you for coming to the screening.\n\n"
        "If you have not signed yet, add your name here: %(sign_url)s\n\n"
        "What next: share the campaign with people who care (%(campaign_url)s), "
        "and host a screening of your own: %(screenings_url)s",
        sign_url=external_url("signatures.sign", slug=campaign.slug),
        campaign_url=external_url("campaigns.page", slug=campaign.slug),
        screenings_url=external_url("events.campaign_index", slug=campaign.slug),
    )
    return subject, body


def has_started(event: Event) -> bool:
    return event.starts_at <= clock.now()


def record_report(
    event: Event, reporter: User, attended_ids: set[int], attendee_count: int, notes: str
) -> EventReport:
    if not has_started(event):
        raise HostError(_("Attendance can be recorded once the screening has started."))
    if event.status not in (EventStatus.APPROVED, EventStatus.COMPLETED):
        raise HostError(_("Only an approved screening can be reported."))
    if not 0 <= attendee_count <= MAX_ATTENDEES:
        raise HostError(_("Give the number of people who came."))
    for guest in guests(event, (RSVPStatus.GOING,)):
        guest.attended = guest.id in attended_ids
    report = event.report or EventReport(event_id=event.id, reported_by_id=reporter.id)
    report.attendee_count = attendee_count
    report.notes = notes.strip()
    report.reported_by_id = reporter.id
    db.session.add(report)
    event.status = EventStatus.COMPLETED
    db.session.flush()
    return report


def attended_party_total(event: Event) -> int:
    """A suggestion for the report: the parties of guests marked as present."""
    return sum(g.party_size for g in guests(event, (RSVPStatus.GOING,)) if g.attended)


__all__ = ["HostError", "follow_up", "guest_csv", "message_guests", "record_report"]
