"""Expansion: one recipient and one outbox row per mailable supporter, exactly once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from organizer.extensions import db
from organizer.mail import bodies, suppression
from organizer.mail.models import EmailStatus, OutboundBody, OutboundEmail, SuppressionReason
from organizer.mailings import expansion, sending
from organizer.mailings.models import MailingRecipient
from organizer.supporters.audience import Audience, Condition
from organizer.supporters.erase import erase
from organizer.supporters.models import SupporterStatus
from tests.mailings.conftest import compose, expand_all, start, supporter


def _rows():
    return db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.to_addr)).all()


def _text(row):
    return bodies.bodies_of(row)[0]


def _html(row):
    return bodies.bodies_of(row)[1]


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
    assert "Hello Ada!" in _text(rows["ada@example.org"])
    assert "Hello friend!" in _text(rows["nameless@example.org"])
    assert "Bonjour Claire !" in _text(rows["claire@example.org"])
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
    assert "you signed a petition of Riders Union on March 2, 2026" in _text(ada_row)
    assert "/unsubscribe/s/" in _html(ada_row)
    assert "1 Rue de la Paix" in _html(ada_row)
    assert "<img" not in _html(ada_row)
    assert mailing.recipient_count == 3 and mailing.expanded_at is not None


def test_merge_values_are_escaped_in_the_html_part(group, owner):
    supporter(group, "x@example.org", name="<b>Eve</b>")
    mailing = start(compose(group, owner))
    expand_all(mailing)
    row = _rows()[0]
    assert "&lt;b&gt;Eve&lt;/b&gt;" in _html(row) and "<b>Eve" not in _html(row)


def test_the_body_is_stored_once_per_language_and_each_row_carries_its_values(group, owner):
    supporter(group, "ada@example.org", name="Ada Lovelace")
    supporter(group, "bea@example.org", name="Bea Smith")
    supporter(group, "claire@example.org", name="Claire Dupont", language="fr")
    mailing = start(compose(group, owner, subjects={"en": "News", "fr": "Nouvelles"}))
    expand_all(mailing, size=1)
    stored = db.session.scalars(select(OutboundBody).order_by(OutboundBody.key)).all()
    assert [body.key for body in stored] == [f"mailing:{mailing.id}:en", f"mailing:{mailing.id}:fr"]
    rows = {row.to_addr: row for row in _rows()}
    assert {row.text_body + row.html_body for row in rows.values()} == {""}
    assert rows["ada@example.org"].body_id == rows["bea@example.org"].body_id == stored[0].id
    assert rows["claire@example.org"].body_id == stored[1].id
    assert rows["bea@example.org"].merge_values[0] == "Bea"
    assert "Hello Bea!" in _text(rows["bea@example.org"])
    assert "Hello Ada!" not in _text(rows["bea@example.org"])


def test_a_rerun_fills_the_body_the_first_run_stored(group, owner):
    supporter(group, "ada@example.org")
    mailing = start(compose(group, owner))
    first = expansion.start(mailing.id)
    mailing.contents[0].body_markdown = "Edited behind the first run's back"
    db.session.flush()
    again = expansion.start(mailing.id)
    assert again.body_ids == first.body_ids
    expand_all(mailing)
    assert "Hello Ada!" in _text(_rows()[0]) and "Edited" not in _text(_rows()[0])


def test_erasing_a_recipient_leaves_nothing_of_them_in_the_queued_row(group, owner):
    ada = supporter(group, "ada@example.org", name="Ada Lovelace")
    expand_all(start(compose(group, owner)))
    erase(ada, None)
    db.session.flush()
    [row] = _rows()
    db.session.refresh(row)
    assert (row.to_addr, row.merge_values, row.status) == ("", None, EmailStatus.FAILED)
    assert "Ada" not in _text(row) and "Ada" not in _html(row)
    assert f"/unsubscribe/s/{ada.id}-" not in _html(row)


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
