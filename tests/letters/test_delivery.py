"""Delivery through the real worker and SMTP, and milestones fired exactly once."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from organizer.extensions import db
from organizer.letters import delivery, directory, milestones
from organizer.letters import services as letter_services
from organizer.letters.models import (
    DocumentsStatus,
    Letter,
    LetterStatus,
    LetterTrigger,
    MilestoneTrigger,
    TriggerStatus,
)
from organizer.mail.models import EmailStatus, OutboundEmail
from tests.factories import UserFactory
from tests.letters.conftest import build_campaign, seed_signers
from tests.support.services import wait_for

TEST_RECIPIENT = "letters-test@cahier.invalid"


def _committed_campaign(app, contact_email="casework@ico.example"):
    with app.app_context():
        directory.import_bundled()
        directory.get("gb-ico").contact_email = contact_email
        owner = UserFactory()
        campaign = build_campaign(owner, slug="strike")
        seed_signers(campaign)
        db.session.commit()
        return campaign.id, owner.id


@pytest.mark.integration
def test_the_worker_builds_the_documents_and_smtp_receives_them(
    app, committed_db, worker, services
):
    _committed_campaign(app)
    with app.app_context():
        from organizer.campaigns.services import get_by_slug

        campaign = get_by_slug("strike")
        others = [
            p.body for p in letter_services.preview(campaign).plan.letters if p.body != "gb-ico"
        ]
        routing = letter_services.preview(campaign, drop=others)
        (letter,) = letter_services.write_letters(routing, None)
        letter.status = LetterStatus.SCHEDULED
        letter.send_when_ready = True
        letter_services.request_documents(letter)
        db.session.commit()
        letter_id = letter.id

    message = services_smtp_message(services)
    assert message["To"] == TEST_RECIPIENT
    assert message["X-Cahier-Intended-Recipient"] == "casework@ico.example"
    assert message.get_content_type() == "multipart/mixed"
    parts = [(p.get_filename(), p.get_content_type()) for p in message.iter_attachments()]
    assert parts == [
        (f"strike-gb-ico-{letter_id}-letter.pdf", "application/pdf"),
        (f"strike-gb-ico-{letter_id}-annex.pdf", "application/pdf"),
        (f"strike-gb-ico-{letter_id}-annex.csv", "text/csv"),
    ]
    pdf = next(message.iter_attachments()).get_content()
    assert pdf.startswith(b"%PDF-")
    assert "Explain what personal data is used" in message.get_body(("plain",)).get_content()

    with app.app_context():
        letter = db.session.get(Letter, letter_id)
        assert letter.documents_status == DocumentsStatus.READY
        assert letter.documents_progress == 100
        assert not letter.send_when_ready
        wait_for(lambda: _email_status(letter_id) == EmailStatus.SENT, what="the outbox row sent")
        assert delivery.sync_email_deliveries() == 1
        db.session.commit()
        letter = db.session.get(Letter, letter_id)
        assert letter.status == LetterStatus.SENT and letter.sent_at is not None


def services_smtp_message(services):
    return services.smtp.wait_for_message(TEST_RECIPIENT, timeout=60)


def _email_status(letter_id):
    db.session.expire_all()
    return db.session.scalar(
        select(OutboundEmail.status).where(
            OutboundEmail.related_type == "letter", OutboundEmail.related_id == letter_id
        )
    )


@pytest.mark.integration
def test_a_milestone_fires_exactly_once_when_two_beats_race(app, committed_db, worker, services):
    campaign_id, owner_id = _committed_campaign(app)
    with app.app_context():
        from organizer.accounts.models import User
        from organizer.campaigns.models import Campaign

        campaign = db.session.get(Campaign, campaign_id)
        trigger = milestones.add_trigger(campaign, db.session.get(User, owner_id), 12)
        milestones.add_trigger(campaign, db.session.get(User, owner_id), 500)
        db.session.commit()
        trigger_id = trigger.id
        expected = len(letter_services.preview(campaign).plan.letters)

    barrier = threading.Barrier(2)
    written: list[int] = []
    errors: list[BaseException] = []

    def beat():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                letters = milestones.fire_due()
                db.session.commit()
                written.append(len(letters))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert sorted(written) == [0, expected]

    with app.app_context():
        trigger = db.session.get(MilestoneTrigger, trigger_id)
        assert trigger.status == TriggerStatus.FIRED and trigger.signatures_at_fire == 12
        letters = db.session.scalars(select(Letter)).all()
        assert len(letters) == expected > 5
        assert all(letter.trigger == LetterTrigger.MILESTONE for letter in letters)
        assert {letter.milestone_id for letter in letters} == {trigger_id}
        # Only the ICO has an address: its letter goes by email, the others wait for the post.
        assert [letter.regulator.slug for letter in letters if letter.send_when_ready] == ["gb-ico"]
        # A later beat finds nothing more to do; the 500 trigger is still waiting.
        assert milestones.fire_due() == []
        db.session.commit()

    services.smtp.wait_for_message(TEST_RECIPIENT, timeout=60)
    with app.app_context():
        wait_for(
            lambda: _documents_done(),
            timeout=60,
            what="every letter's documents",
        )
        # Sweeps requeue nothing and never send a second email.
        from workers.letters import sweep

        sweep.run()
        db.session.commit()
        emails = db.session.scalar(select(func.count()).select_from(OutboundEmail))
        assert emails == 1
    assert len(services.smtp.messages_to(TEST_RECIPIENT)) == 1


def _documents_done():
    db.session.expire_all()
    statuses = db.session.scalars(select(Letter.documents_status)).all()
    return statuses and all(status == DocumentsStatus.READY for status in statuses)


def test_postal_sending_is_recorded_with_its_date(campaign, owner):
    from organizer.letters import documents

    letters = letter_services.write_letters(letter_services.preview(campaign), owner)
    cnil = next(letter for letter in letters if letter.regulator.slug == "fr-cnil")
    with pytest.raises(letter_services.LetterError):
        delivery.record_sent(cnil, owner, delivery.Channel.POSTAL, date(2026, 1, 5))
    documents.generate(cnil)
    with pytest.raises(letter_services.LetterError):
        delivery.send_by_email(cnil, owner)  # no address: by post only
    delivery.record_sent(cnil, owner, delivery.Channel.POSTAL, date(2026, 1, 5), "Tracked")
    assert cnil.status == LetterStatus.SENT and cnil.sent_at.date() == date(2026, 1, 5)
    (sent,) = cnil.deliveries
    assert sent.status == "sent" and sent.attempts == 1 and sent.note == "Tracked"
    with pytest.raises(letter_services.LetterError):
        delivery.record_sent(cnil, owner, delivery.Channel.POSTAL, date(2026, 1, 6))


def test_in_production_the_bodys_own_address_is_used(app, campaign, owner, regulators):
    regulators["gb-ico"].contact_email = "casework@ico.example"
    letters = letter_services.write_letters(letter_services.preview(campaign), owner)
    ico = next(letter for letter in letters if letter.regulator.slug == "gb-ico")
    assert delivery.email_recipient(ico) == TEST_RECIPIENT
    app.config["CAHIER_ENV"] = "production"
    try:
        assert delivery.email_recipient(ico) == "casework@ico.example"
    finally:
        app.config["CAHIER_ENV"] = "test"
