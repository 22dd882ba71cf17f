"""Host messages: chosen recipients, replies to the host, and the follow-up to those who
came."""

from __future__ import annotations

from datetime import timedelta

import pytest

from organizer.db import utcnow
from organizer.events import host_tools
from tests.events.conftest import confirmed_guest
from tests.factories import EventFactory
from tests.support.mail import emails_to


@pytest.fixture
def full(ctx):
    event = EventFactory(capacity=1)
    confirmed_guest(event, "going@example.org")
    confirmed_guest(event, "waiting@example.org")
    return event


@pytest.mark.parametrize(
    ("recipients", "told"),
    [("going", {"going"}), ("waitlisted", {"waiting"}), ("all", {"going", "waiting"})],
)
def test_the_host_chooses_who_gets_the_message(full, recipients, told):
    count = host_tools.message_guests(full, full.host, "Door code", "1234", recipients)
    assert count == len(told)
    for who in ("going", "waiting"):
        sent = emails_to(f"{who}@example.org", "event_message")
        assert bool(sent) == (who in told)
        for email in sent:
            assert email.headers["Reply-To"] == full.host.email


def test_the_follow_up_goes_to_the_guests_marked_present(ctx):
    start = utcnow() - timedelta(hours=3)
    event = EventFactory(starts_at=start + timedelta(days=1), ends_at=start + timedelta(days=1))
    came = confirmed_guest(event, "came@example.org")
    confirmed_guest(event, "stayed@example.org")
    event.starts_at, event.ends_at = start, start + timedelta(hours=2)
    with pytest.raises(host_tools.HostError):
        host_tools.follow_up(event, event.host, "Thanks", "Body")  # nobody is marked yet
    host_tools.record_report(event, event.host, {came.id}, 1, "")
    subject, body = host_tools.follow_up_defaults(event)
    assert f"/c/{event.campaign.slug}/sign" in body
    assert host_tools.follow_up(event, event.host, subject, body) == 1
    (email,) = emails_to("came@example.org", "event_message")
    assert "/sign" in email.text_body
    assert emails_to("stayed@example.org", "event_message") == []
