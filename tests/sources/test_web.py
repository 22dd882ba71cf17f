"""``?source=`` on public URLs: kept when registered, dropped by a redirect otherwise, and
recorded on signatures (both sign paths) and RSVPs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from organizer.campaigns import revisions
from organizer.events.models import RSVP, RSVPStatus
from organizer.extensions import db
from organizer.signatures import confirmation, sign_again, signing
from organizer.signatures.canonical import parse_address
from organizer.signatures.models import SignAgainRequest, Signature, SignatureStatus
from organizer.signatures.pledges import create_pledge
from tests.factories import EventFactory

from .conftest import FORM, ORIGIN

HIDDEN = '<input type="hidden" name="source" value="{}">'


@pytest.mark.parametrize("code", ["partner-a", "partner-b", "newsletter", "share-mastodon", "qr"])
def test_a_registered_code_is_kept_for_the_sign_form(client, coalition, code):
    for url in (f"/c/strike?source={code}", f"/c/strike/sign?source={code}"):
        response = client.get(url)
        assert response.status_code == 200
        assert HIDDEN.format(code) in response.get_data(as_text=True)


def test_a_code_costs_the_campaign_page_at_most_one_small_query(client, coalition, statements):
    counts = {}
    for url in ("/c/strike", "/c/strike?source=share-x", "/c/strike?source=partner-a"):
        client.get(url)  # warm: the first request of a test loads what later ones reuse
        statements.count = 0
        assert client.get(url).status_code == 200
        counts[url] = statements.count
    assert counts["/c/strike?source=share-x"] == counts["/c/strike"]
    assert counts["/c/strike?source=partner-a"] == counts["/c/strike"] + 1


def test_without_a_code_the_page_has_no_source_field(client, coalition):
    assert 'name="source"' not in client.get("/c/strike").get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("/c/strike?source=made-up", "/c/strike"),
        ("/c/strike?source=partner-c", "/c/strike"),  # invited, not accepted
        ("/c/strike?source=Partner-A", "/c/strike"),
        ("/c/strike?source=%3Cscript%3E", "/c/strike"),
        ("/c/strike?source=", "/c/strike"),
        ("/c/strike/sign?lang=fr&source=bogus&x=1", "/c/strike/sign?lang=fr&x=1"),
        ("/c/strike/signers?page=2&source=bogus", "/c/strike/signers?page=2"),
        ("/c/strike?source=qr&source=flyer", "/c/strike"),
    ],
)
def test_an_unknown_code_redirects_to_the_same_url_without_it(client, coalition, url, clean):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"] == clean


def test_the_event_page_checks_codes_against_its_campaign(client, coalition):
    event = EventFactory(campaign=coalition.campaign)
    db.session.commit()
    kept = client.get(f"/events/{event.id}?source=partner-a")
    assert HIDDEN.format("partner-a") in kept.get_data(as_text=True)
    dropped = client.get(f"/events/{event.id}?source=partner-z&ref=x")
    assert (dropped.status_code, dropped.headers["Location"]) == (302, f"/events/{event.id}?ref=x")


def test_other_pages_ignore_the_parameter(client, coalition):
    assert client.get("/campaigns?source=made-up").status_code == 200


def _signature(email="ada@example.org"):
    return db.session.scalars(select(Signature).where(Signature.email == email)).one()


def test_the_sign_form_records_the_code_on_the_fast_path(client, coalition):
    response = client.post("/c/strike/sign", data={**FORM, "source": "partner-a"}, headers=ORIGIN)
    assert response.status_code == 200
    assert _signature().source == "partner-a"


def test_a_code_in_the_url_the_form_posts_to_counts_too(client, coalition):
    client.post("/c/strike/sign?source=share-x", data=FORM, headers=ORIGIN)
    assert _signature().source == "share-x"


@pytest.mark.parametrize("posted", ["partner-c", "made-up", "x" * 40, ""])
def test_an_unknown_posted_code_is_dropped_and_the_signature_kept(client, coalition, posted):
    response = client.post("/c/strike/sign", data={**FORM, "source": posted}, headers=ORIGIN)
    assert response.status_code == 200
    assert _signature().source is None


def test_a_form_with_errors_keeps_carrying_the_code(client, coalition):
    data = {**FORM, "email": "", "source": "newsletter"}
    response = client.post("/c/strike/sign", data=data, headers=ORIGIN)
    assert HIDDEN.format("newsletter") in response.get_data(as_text=True)


def test_the_pledge_form_records_the_code_on_the_full_path(client, coalition):
    pledge = create_pledge(
        coalition.campaign, coalition.owner, "I will log out for a week.", 10, _next_year()
    )
    db.session.commit()
    url = f"/c/strike/pledges/{pledge.id}"
    assert HIDDEN.format("qr") in client.get(f"{url}?source=qr").get_data(as_text=True)
    client.post(url, data={**FORM, "source": "qr"}, headers=ORIGIN)
    assert _signature().source == "qr"


def _next_year():
    from datetime import date

    return date(date.today().year + 1, 1, 1)


def _signer(source, email="ada@example.org"):
    return signing.Signer(
        name="Ada", address=parse_address(email), country="GB", postal_code=None,
        locale="en", source=source,
    )  # fmt: skip


def test_signing_again_after_withdrawing_keeps_the_first_source(coalition):
    campaign = coalition.campaign
    revision = revisions.published_revision(campaign)
    for email, first, second in (("ada@example.org", "partner-a", "newsletter"),
                                 ("bo@example.org", None, "share-x")):  # fmt: skip
        _outcome, signature = signing.sign(campaign, revision, _signer(first, email))
        assert signature.source == first
        confirmation.withdraw(signature)
        outcome, again = signing.sign(campaign, revision, _signer(second, email))
        assert (outcome, again.id) == (signing.Outcome.RESENT, signature.id)
        assert again.status == SignatureStatus.PENDING
        # Where they first came from: a person with no code at first stays "direct".
        assert again.source == first


def test_the_worker_signing_again_keeps_the_first_source(client, coalition):
    client.post("/c/strike/sign", data={**FORM, "source": "partner-a"}, headers=ORIGIN)
    confirmation.withdraw(_signature())
    db.session.commit()
    client.post("/c/strike/sign", data={**FORM, "source": "share-x"}, headers=ORIGIN)
    request_id = db.session.scalars(select(SignAgainRequest.id)).one()
    assert sign_again.run(request_id) == signing.Outcome.RESENT
    assert _signature().status == SignatureStatus.PENDING
    assert _signature().source == "partner-a"


def test_the_rsvp_form_records_the_code_and_keeps_the_first(client, coalition):
    event = EventFactory(campaign=coalition.campaign)
    db.session.commit()
    guest = {"name": "Ada", "email": "ada@example.org", "party_size": "1"}
    url = f"/events/{event.id}/rsvp"
    assert (
        client.post(url, data={**guest, "source": "partner-b"}, headers=ORIGIN).status_code == 200
    )
    rsvp = db.session.scalars(select(RSVP).where(RSVP.event_id == event.id)).one()
    assert rsvp.source == "partner-b"
    rsvp.status = RSVPStatus.CANCELLED
    db.session.commit()
    client.post(url, data={**guest, "source": "newsletter"}, headers=ORIGIN)
    db.session.refresh(rsvp)
    assert (rsvp.status, rsvp.source) == (RSVPStatus.PENDING, "partner-b")


def test_an_unknown_code_on_an_rsvp_is_dropped(client, coalition):
    event = EventFactory(campaign=coalition.campaign)
    db.session.commit()
    guest = {"name": "Ada", "email": "ada@example.org", "party_size": "1", "source": "x-y"}
    client.post(f"/events/{event.id}/rsvp", data=guest, headers=ORIGIN)
    assert db.session.scalars(select(RSVP.source).where(RSVP.event_id == event.id)).one() is None
