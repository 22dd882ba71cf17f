"""Mailings through the real worker, Redis and SMTP server: each supporter gets one message,
whatever happens to the expansion (a double submit, a task run twice, a killed worker)."""

from __future__ import annotations

from collections import Counter
from email.utils import parseaddr

import pytest

from organizer.extensions import db
from organizer.mail import services as outbox
from organizer.mailings import expansion, sending
from organizer.mailings.models import Mailing, MailingStatus
from tests.campaigns.conftest import build_campaign
from tests.factories import GroupFactory, UserFactory
from tests.mailings.conftest import compose, supporter
from tests.support.services import celery_worker, wait_for
from tests.support.web import csrf_token
from workers.mailings import tick

pytestmark = pytest.mark.integration


def _group(app, count, **fields):
    with app.app_context():
        owner = UserFactory(email="owner@example.org", display_name="Olive Owner")
        group = GroupFactory(owner=owner, slug="riders", name="Riders Union")
        campaign = build_campaign(owner, title="Fair pay", slug="fair-pay")
        campaign.group_id = group.id
        for i in range(count):
            supporter(group, f"rider{i}@example.org", name=f"Rider{i} Test")
        mailing_id = compose(group, owner, **fields).id
        db.session.commit()
        return mailing_id


def _addresses(count):
    return {f"rider{i}@example.org" for i in range(count)}


def _received(services):
    with services.smtp.lock:
        return list(services.smtp.received)


def _arrived(services):
    return {a for m in _received(services) for a in m.envelope_to}


def _restart_stalled(app):
    """The beat's tick, with an expansion counted as stalled at once."""
    saved = app.config["MAILING_EXPAND_STALE_SECONDS"]
    app.config["MAILING_EXPAND_STALE_SECONDS"] = 0
    try:
        with app.app_context():
            tick.run()
            db.session.commit()
    finally:
        app.config["MAILING_EXPAND_STALE_SECONDS"] = saved


def _all_arrived(services, count):
    wait_for(lambda: _arrived(services) >= _addresses(count), 60, 0.1, f"{count} messages")
    received = [m for m in _received(services) if m.envelope_to[0].startswith("rider")]
    per_address = Counter(m.envelope_to[0] for m in received)
    per_message = Counter(m.message_id for m in received)
    return received, per_address, per_message


def _finish(app, mailing_id):
    def done():
        with app.app_context():
            sending.finish_done()
            db.session.commit()
            return db.session.get(Mailing, mailing_id).status == MailingStatus.SENT

    wait_for(done, 30, 0.2, "the mailing to be marked sent")


def test_a_double_submitted_send_reaches_everyone_once(app, services, committed_db, worker):
    mailing_id = _group(app, 40, from_name="Riders Union Team")
    client = app.test_client()
    client.post("/account/login", data={})  # a session cookie for the CSRF token
    from tests.factories import PASSWORD

    login_page = client.get("/account/login").get_data(as_text=True)
    client.post(
        "/account/login",
        data={
            "email": "owner@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_token(login_page),
        },
    )
    url = f"/organize/groups/riders/mailings/{mailing_id}/send"
    page = client.get(url)
    assert page.status_code == 200
    token = csrf_token(page.get_data(as_text=True))
    assert client.post(url, data={"when": "now", "csrf_token": token}).status_code == 302
    assert client.post(url, data={"when": "now", "csrf_token": token}).status_code == 302
    received, per_address, per_message = _all_arrived(services, 40)
    assert set(per_address.values()) == {1} and set(per_message.values()) == {1}
    message = received[0].message
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The from name is the mailing's; the address stays ours (DMARC alignment).
    sender = message["From"].addresses[0]
    assert sender.display_name == "Riders Union Team"
    assert sender.addr_spec == parseaddr(app.config["MAIL_FROM"])[1]
    assert "X-Cahier-From-Name" not in message
    assert "Hello Rider" in message.get_body(("plain",)).get_content()
    assert received[0].envelope_from.startswith("bounce+")
    _finish(app, mailing_id)
    with app.app_context():
        from organizer.mailings import services as mailing_services

        report = mailing_services.report(db.session.get(Mailing, mailing_id))
        assert (report.recipients, report.sent, report.failed) == (40, 40, 0)


def test_an_expansion_run_twice_at_once_sends_once(app, services, committed_db, worker):
    mailing_id = _group(app, 30)
    with app.app_context():
        mailing = db.session.get(Mailing, mailing_id)
        mailing.status, mailing.started_at = MailingStatus.SENDING, mailing.created_at
        db.session.commit()
        celery = app.extensions["celery"]
        celery.send_task(sending.EXPAND_TASK, args=[mailing_id])
        celery.send_task(sending.EXPAND_TASK, args=[mailing_id])
    _received_list, per_address, per_message = _all_arrived(services, 30)
    assert set(per_address.values()) == {1} and set(per_message.values()) == {1}


def test_an_expansion_left_half_done_is_resumed_and_sends_once(app, services, committed_db, worker):
    mailing_id = _group(app, 12)
    with app.app_context():
        mailing = db.session.get(Mailing, mailing_id)
        assert sending.send(mailing, None, None)
        state = expansion.start(mailing_id)
        # What a worker killed after its second batch leaves: two committed batches.
        for _ in range(2):
            expansion.expand_batch(state, 4)
            db.session.commit()
        outbox.flush_dispatch()
    _restart_stalled(app)
    _received_list, per_address, per_message = _all_arrived(services, 12)
    assert set(per_address.values()) == {1} and set(per_message.values()) == {1}


def test_a_worker_killed_mid_expansion_loses_nothing_and_duplicates_nothing(
    app, services, committed_db, worker
):
    count = 150
    mailing_id = _group(app, count)
    env = services.env(MAILING_EXPAND_BATCH="1")
    victim = celery_worker(env, services.log_dir, concurrency=1, name="victim", queues="victim")
    try:
        with app.app_context():
            mailing = db.session.get(Mailing, mailing_id)
            mailing.status, mailing.started_at = MailingStatus.SENDING, mailing.created_at
            db.session.commit()
            app.extensions["celery"].send_task(
                sending.EXPAND_TASK, args=[mailing_id], queue="victim"
            )

        def started():
            with app.app_context():
                return db.session.get(Mailing, mailing_id).expanded_through_id > 0

        wait_for(started, 30, 0.01, "the expansion to start")
    finally:
        victim.kill()
    with app.app_context():
        # The kill landed mid-expansion (150 batches of one supporter each).
        assert db.session.get(Mailing, mailing_id).expanded_at is None
    _restart_stalled(app)

    def sweep():
        # What the victim committed but never published: the beat's outbox sweep finds it.
        with app.app_context():
            outbox.sweep()
            db.session.commit()
            outbox.flush_dispatch()
        return True

    wait_for(lambda: sweep() and _arrived(services) >= _addresses(count), 90, 1.0, "the rest")
    _received_list, per_address, per_message = _all_arrived(services, count)
    assert set(per_address.values()) == {1} and set(per_message.values()) == {1}
    with app.app_context():
        mailing = db.session.get(Mailing, mailing_id)
        assert mailing.expanded_at is not None and mailing.recipient_count == count
