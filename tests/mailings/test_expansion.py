"""Expansion: one recipient and one outbox row per mailable supporter, exactly once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from organizer.extensions import db
from organizer.mail import suppression
from organizer.mail.models import OutboundEmail, SuppressionReason
from organizer.mailings import expansion, sending
from organizer.mailings.models import MailingRecipient
from organizer.supporters.audience import Audience, Condition
from organizer.supporters.models import SupporterStatus
from tests.mailings.conftest import compose, expand_all, start, supporter


def _rows():
    return db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.to_addr)).all()


def test_each_mailable_supporter_gets_one_message_with_their_merge_fields(group, owner):
    ada = supporter(group, "ada@example.org", name="Ada Lovelace")
    supporter(group, "nameless@example.org", name="")
    supporter(group, "claire@example.org", name="Claire Dupont", language="fr")
    mailing = start(
        compose(
            group, owner, subjects={"en": "News", "fr": "Nouvelles"}, reply_to="team@riders.example"
        )
    )
    expand_all(mailing)
    rows = {row.to_addr: row for row in _rows()}
    assert set(rows) == {"ada@example.org", "nameless@example.org", "claire@example.org"}
    assert "Hello Ada!" in rows["ada@example.org"].text_body
    assert "Hello friend!" in rows["nameless@example.org"].text_body
    assert "Bonjour Claire !" in rows["claire@example.org"].text_body
    assert rows["claire@example.org"].subject == "Nouvelles"
    assert rows["claire@example.org"].locale == "fr"
    ada_row = rows["ada@example.org"]
    assert ada_row.idempotency_key == f"mailing:{mailing.id}:{ada.id}"
    assert ada_row.kind == "mailing"
    recipient = db.session.get(MailingRecipient, ada_row.related_id)
    assert (ada_row.related_type, recipient.supporter_id, recipient.email_id) == (
        "mailing_recipient",
        ada.id,
        ada_row.id,
    )
    assert ada_row.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "mailto:unsubscribe+" in ada_row.headers["List-Unsubscribe"]
    assert ada_row.headers["List-Id"].endswith(">")
    assert ada_row.headers["Reply-To"] == "team@riders.example"
    # The footer: why, a visible unsubscribe link, the postal address; no tracking.
    assert "you signed a petition of Riders Union on March 2, 2026" in ada_row.text_body
    assert "/unsubscribe/s/" in ada_row.html_body
    assert "1 Rue de la Paix" in ada_row.html_body
    assert "<img" not in ada_row.html_body
    assert mailing.recipient_count == 3 and mailing.expanded_at is not None


def test_merge_values_are_escaped_in_the_html_part(group, owner):
    supporter(group, "x@example.org", name="<b>Eve</b>")
    mailing = start(compose(group, owner))
    expand_all(mailing)
    row = _rows()[0]
    assert "&lt;b&gt;Eve&lt;/b&gt;" in row.html_body and "<b>Eve" not in row.html_body


def test_only_mailable_supporters_and_the_audience_are_expanded(group, owner):
    supporter(group, "in@example.org", country="FR")
    supporter(group, "abroad@example.org", country="DE")
    supporter(group, "gone@example.org", status=SupporterStatus.UNSUBSCRIBED, country="FR")
    supporter(group, "bouncing@example.org", status=SupporterStatus.BOUNCING, country="FR")
    supporter(group, "complained@example.org", status=SupporterStatus.COMPLAINED, country="FR")
    supporter(group, "suppressed@example.org", country="FR")
    suppression.suppress("suppressed@example.org", SuppressionReason.HARD_BOUNCE, group_id=None)
    mailing = compose(group, owner)
    mailing.audience = Audience(includes=(Condition("country", "FR"),)).to_dict()
    expand_all(start(mailing))
    assert [row.to_addr for row in _rows()] == ["in@example.org"]


def test_whoever_unsubscribes_before_the_expansion_is_left_out(group, owner):
    supporter(group, "stays@example.org")
    leaving = supporter(group, "leaves@example.org")
    mailing = start(compose(group, owner))
    leaving.status = SupporterStatus.UNSUBSCRIBED
    db.session.flush()
    expand_all(mailing)
    assert [row.to_addr for row in _rows()] == ["stays@example.org"]


def test_a_second_run_writes_nothing(group, owner):
    for i in range(5):
        supporter(group, f"p{i}@example.org")
    mailing = start(compose(group, owner))
    assert expand_all(mailing, size=2) == 3
    mailing.expanded_at = None
    mailing.expanded_through_id = 0
    db.session.flush()
    expand_all(mailing, size=2)
    assert db.session.scalar(select(func.count()).select_from(OutboundEmail)) == 5
    assert db.session.scalar(select(func.count()).select_from(MailingRecipient)) == 5


def test_a_batch_lost_with_its_worker_is_redone_once(group, owner):
    for i in range(6):
        supporter(group, f"p{i}@example.org")
    mailing = start(compose(group, owner))
    state = expansion.start(mailing.id)
    assert expansion.expand_batch(state, 2)
    savepoint = db.session.begin_nested()
    assert expansion.expand_batch(state, 2)
    savepoint.rollback()  # the worker died before this batch's commit
    db.session.expire_all()
    expand_all(mailing, size=2)
    addresses = [row.to_addr for row in _rows()]
    assert sorted(addresses) == [f"p{i}@example.org" for i in range(6)]


def test_the_hourly_cap_spreads_messages_over_hourly_slots(group, owner):
    for i in range(5):
        supporter(group, f"p{i}@example.org")
    mailing = start(compose(group, owner), cap=2)
    expand_all(mailing, size=3)
    due = [
        row.next_attempt_at
        for row in db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id))
    ]
    assert due[:2] == [None, None]
    assert due[2] == due[3] == mailing.started_at + timedelta(hours=1)
    assert due[4] == mailing.started_at + timedelta(hours=2)


def test_a_paused_or_cancelled_mailing_is_not_expanded(group, owner):
    supporter(group, "p@example.org")
    mailing = start(compose(group, owner))
    assert sending.pause(mailing)
    expand_all(mailing)
    assert _rows() == []
