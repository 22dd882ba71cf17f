"""Send, schedule, pause, resume, cancel, finish: compare-and-set on the mailing row."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from organizer.db import utcnow
from organizer.extensions import db
from organizer.mail.models import EmailStatus, OutboundEmail
from organizer.mailings import sending, services
from organizer.mailings.models import MailingRecipient, MailingStatus, RecipientStatus
from tests.mailings.conftest import compose, expand_all, start, supporter


def _emails():
    return db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)).all()


def test_send_twice_starts_once(group, owner):
    mailing = compose(group, owner)
    assert sending.send(mailing, None, None)
    assert not sending.send(mailing, None, None)
    assert mailing.status == MailingStatus.SENDING


def test_a_scheduled_mailing_starts_when_due_and_not_before(group, owner):
    mailing = compose(group, owner)
    assert sending.send(mailing, utcnow() + timedelta(hours=2), None)
    assert mailing.status == MailingStatus.SCHEDULED
    assert sending.start_due() == []
    mailing.scheduled_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert sending.start_due() == [mailing.id]
    db.session.refresh(mailing)
    assert mailing.status == MailingStatus.SENDING and mailing.started_at is not None


def test_pause_holds_queued_rows_and_resume_releases_them(group, owner):
    for i in range(3):
        supporter(group, f"p{i}@example.org")
    mailing = start(compose(group, owner))
    expand_all(mailing)
    assert sending.pause(mailing)
    assert {e.next_attempt_at for e in _emails()} == {sending.HOLD}
    assert not sending.pause(mailing)
    assert sending.resume(mailing)
    db.session.expire_all()
    assert {e.next_attempt_at for e in _emails()} == {None}
    assert mailing.status == MailingStatus.SENDING


def test_resume_keeps_the_hourly_cap(group, owner):
    for i in range(3):
        supporter(group, f"p{i}@example.org")
    mailing = start(compose(group, owner), cap=2)
    expand_all(mailing)
    sending.pause(mailing)
    sending.resume(mailing)
    db.session.expire_all()
    due = [e.next_attempt_at for e in _emails()]
    assert (
        due[:2] == [None, None] and due[2] is not None and due[2] > utcnow() + timedelta(minutes=59)
    )


def test_cancel_fails_what_is_queued_and_keeps_what_went(group, owner):
    for i in range(3):
        supporter(group, f"p{i}@example.org")
    mailing = start(compose(group, owner))
    expand_all(mailing)
    first = _emails()[0]
    first.status = EmailStatus.SENT
    db.session.flush()
    assert sending.cancel(mailing)
    db.session.expire_all()
    assert [(e.status, e.last_error) for e in _emails()] == [
        (EmailStatus.SENT, None),
        (EmailStatus.FAILED, "cancelled"),
        (EmailStatus.FAILED, "cancelled"),
    ]
    statuses = sorted(r.status for r in db.session.scalars(select(MailingRecipient)))
    assert statuses == sorted(
        [RecipientStatus.QUEUED, RecipientStatus.CANCELLED, RecipientStatus.CANCELLED]
    )
    assert not sending.cancel(mailing) and not sending.resume(mailing)
    sending.finish_done()
    report = services.report(mailing)
    assert (report.recipients, report.sent, report.cancelled) == (3, 1, 2)


def test_a_mailing_is_sent_once_nothing_is_left_in_the_outbox(group, owner):
    supporter(group, "a@example.org")
    supporter(group, "b@example.org")
    mailing = start(compose(group, owner))
    expand_all(mailing)
    first, second = _emails()
    first.status = EmailStatus.SENT
    db.session.flush()
    assert sending.finish_done() == []
    progress = sending.progress(mailing)
    assert (progress.total, progress.queued, progress.sent, progress.failed) == (2, 1, 1, 0)
    second.status = EmailStatus.FAILED
    db.session.flush()
    assert sending.finish_done() == [mailing.id]
    report = services.report(mailing)
    assert (report.recipients, report.sent, report.failed) == (2, 1, 1)


def test_the_report_counts_bounces_complaints_and_unsubscribes(group, owner):
    for i in range(4):
        supporter(group, f"p{i}@example.org")
    mailing = start(compose(group, owner))
    expand_all(mailing)
    recipients = db.session.scalars(select(MailingRecipient).order_by(MailingRecipient.id)).all()
    recipients[0].status = RecipientStatus.BOUNCED
    recipients[1].status = RecipientStatus.COMPLAINED
    recipients[2].status = RecipientStatus.SENT
    recipients[2].unsubscribed_at = utcnow()
    db.session.flush()
    report = services.report(mailing)
    assert (
        report.recipients,
        report.sent,
        report.bounced,
        report.complained,
        report.unsubscribed,
    ) == (4, 3, 1, 1, 1)
