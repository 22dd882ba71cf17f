"""Capacity with party sizes, the waitlist, confirmation tokens and manage links."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from organizer.events import links, rsvp
from organizer.events.models import RSVP, Reminder, RSVPStatus
from organizer.extensions import db
from tests.events.conftest import confirmed_guest
from tests.factories import EventFactory, UserFactory
from tests.support.mail import emails_to


def test_capacity_counts_party_sizes_and_the_rest_wait(event):
    first = confirmed_guest(event, "a@example.org", 3)
    second = confirmed_guest(event, "b@example.org", 2)
    third = confirmed_guest(event, "c@example.org", 1)
    assert (first.status, second.status) == (RSVPStatus.GOING, RSVPStatus.GOING)
    assert third.status == RSVPStatus.WAITLISTED
    assert rsvp.places_taken(event) == 5
    assert rsvp.places_left(event) == 0
    assert emails_to("c@example.org", "rsvp_waitlisted")


def test_a_party_too_big_for_the_places_left_waits_while_a_smaller_one_gets_in(event):
    confirmed_guest(event, "a@example.org", 4)
    big = confirmed_guest(event, "big@example.org", 3)
    small = confirmed_guest(event, "small@example.org", 1)
    assert big.status == RSVPStatus.WAITLISTED
    assert small.status == RSVPStatus.GOING
    assert rsvp.places_taken(event) == 5


def test_an_unconfirmed_rsvp_holds_no_place(event):
    rsvp.request_place(event, "Pending", "p@example.org", 5, "en", None)
    assert rsvp.places_taken(event) == 0
    assert confirmed_guest(event, "a@example.org", 5).status == RSVPStatus.GOING


def test_cancelling_promotes_the_next_in_line_whose_party_fits(event):
    leaving = confirmed_guest(event, "a@example.org", 2)
    confirmed_guest(event, "b@example.org", 3)
    too_big = confirmed_guest(event, "big@example.org", 3)
    fits = confirmed_guest(event, "fits@example.org", 2)
    assert [too_big.status, fits.status] == [RSVPStatus.WAITLISTED] * 2

    promoted = rsvp.cancel(leaving)

    assert promoted == [fits]
    assert fits.status == RSVPStatus.GOING
    assert too_big.status == RSVPStatus.WAITLISTED
    assert rsvp.places_taken(event) == 5
    assert emails_to("fits@example.org", "rsvp_promoted")
    assert not emails_to("big@example.org", "rsvp_promoted")


def test_the_waitlist_is_served_in_order(event):
    confirmed_guest(event, "a@example.org", 5)
    early = confirmed_guest(event, "early@example.org", 1)
    late = confirmed_guest(event, "late@example.org", 1)
    rsvp.change_party_size(links.by_manage_token(_token("a@example.org")), 4)
    assert early.status == RSVPStatus.GOING
    assert late.status == RSVPStatus.WAITLISTED


def _token(address):
    guest = db.session.scalar(select(RSVP).where(RSVP.email == address))
    return links.manage_token(guest)


def test_growing_a_party_needs_free_places(event):
    guest = confirmed_guest(event, "a@example.org", 2)
    confirmed_guest(event, "b@example.org", 2)
    rsvp.change_party_size(guest, 3)
    assert guest.party_size == 3
    with pytest.raises(rsvp.RSVPError, match="Only 0 more places"):
        rsvp.change_party_size(guest, 4)
    assert guest.party_size == 3


def test_party_size_is_bounded(event, app):
    with pytest.raises(rsvp.RSVPError):
        rsvp.request_place(event, "Crowd", "crowd@example.org", 0, "en", None)
    with pytest.raises(rsvp.RSVPError):
        too_many = app.config["EVENT_MAX_PARTY_SIZE"] + 1
        rsvp.request_place(event, "Crowd", "crowd@example.org", too_many, "en", None)


def test_the_confirmation_token_works_once(event):
    asked = rsvp.request_place(event, "Ann", "ann@example.org", 1, "en", None)
    assert asked.rsvp.confirm_token_hash != asked.confirm_token  # stored hashed
    assert rsvp.confirm(asked.confirm_token) is not None
    assert rsvp.confirm(asked.confirm_token) is None
    assert rsvp.pending_by_confirm_token("not-a-token") is None


def test_the_confirmation_email_carries_the_link(event):
    asked = rsvp.request_place(event, "Ann", "ann@example.org", 1, "en", None)
    (email,) = emails_to("ann@example.org", "rsvp_confirm")
    assert f"/events/rsvp/confirm/{asked.confirm_token}" in email.text_body


def test_the_manage_link_is_stable_and_only_its_hash_is_stored(event):
    guest = confirmed_guest(event, "a@example.org", 1)
    token = links.manage_token(guest)
    assert links.manage_token(guest) == token
    assert token not in (guest.manage_token_hash, guest.manage_salt)
    assert links.by_manage_token(token) is guest
    altered = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert links.by_manage_token(altered) is None
    assert links.by_manage_token("") is None
    (going,) = emails_to("a@example.org", "rsvp_going")
    assert token in going.text_body


def test_asking_again_resends_the_link_without_a_second_place(event):
    confirmed_guest(event, "a@example.org", 2)
    again = rsvp.request_place(event, "A", "A@example.org", 4, "en", None)
    assert again.confirmed is False and again.confirm_token is None
    assert rsvp.places_taken(event) == 2
    assert emails_to("a@example.org", "rsvp_link")


def test_a_verified_account_with_the_same_address_is_seated_at_once(event):
    user = UserFactory(email="member@example.org")
    asked = rsvp.request_place(event, "Member", "member@example.org", 2, "en", user)
    assert asked.confirmed and asked.rsvp.status == RSVPStatus.GOING
    assert asked.rsvp.user_id == user.id


def test_an_account_cannot_rsvp_for_someone_elses_address(event):
    user = UserFactory(email="member@example.org")
    asked = rsvp.request_place(event, "Member", "other@example.org", 1, "en", user)
    assert not asked.confirmed and asked.rsvp.status == RSVPStatus.PENDING


def test_a_cancelled_event_takes_no_rsvp(event):
    from organizer.events import hosting

    hosting.cancel_event(event)
    with pytest.raises(rsvp.RSVPError):
        rsvp.request_place(event, "Late", "late@example.org", 1, "en", None)


def test_a_cancelled_guest_may_come_back(event):
    guest = confirmed_guest(event, "a@example.org", 1)
    rsvp.cancel(guest)
    back = confirmed_guest(event, "a@example.org", 2)
    assert back.id == guest.id and back.status == RSVPStatus.GOING and back.party_size == 2


def test_a_party_larger_than_the_whole_screening_is_refused_with_the_capacity(ctx):
    event = EventFactory(capacity=4)
    with pytest.raises(rsvp.RSVPError, match="has 4 places in all: a party of 5 cannot fit"):
        rsvp.request_place(event, "Crowd", "crowd@example.org", 5, "en", None)


def test_a_party_larger_than_the_places_left_is_offered_the_waitlist(ctx):
    event = EventFactory(capacity=4)
    confirmed_guest(event, "first@example.org", 3)
    with pytest.raises(rsvp.WaitlistOffer, match="Only 1 place is left") as offer:
        rsvp.request_place(event, "Pair", "pair@example.org", 2, "en", None)
    assert offer.value.places_left == 1
    asked = rsvp.request_place(event, "Pair", "pair@example.org", 2, "en", None,
                               accept_waitlist=True)  # fmt: skip
    assert rsvp.confirm(asked.confirm_token).status == RSVPStatus.WAITLISTED


def test_a_host_adds_a_guest_who_gets_only_their_link(ctx):
    event = EventFactory(capacity=4)
    guest = rsvp.add_by_host(event, "Zoe", "zoe@example.org", 2, "fr")
    assert guest.status == RSVPStatus.GOING and guest.added_by_host
    (email,) = emails_to("zoe@example.org")
    assert email.kind == "rsvp_added" and "/events/rsvp/" in email.text_body
    assert db.session.query(Reminder).filter_by(rsvp_id=guest.id).count() == 0
    with pytest.raises(rsvp.RSVPError, match="already on the guest list"):
        rsvp.add_by_host(event, "Zoe", "zoe@example.org", 1, "fr")
    with pytest.raises(rsvp.RSVPError, match="not enough places"):
        rsvp.add_by_host(event, "Big", "big@example.org", 3, "en")


def test_a_host_removes_a_guest_who_is_told_and_whose_places_go_on(ctx):
    event = EventFactory(capacity=1)
    first = confirmed_guest(event, "first@example.org")
    second = confirmed_guest(event, "second@example.org")
    rsvp.remove_by_host(event, first.id)
    assert first.status == RSVPStatus.CANCELLED and second.status == RSVPStatus.GOING
    assert emails_to("first@example.org", "rsvp_removed")
    assert emails_to("second@example.org", "rsvp_promoted")
