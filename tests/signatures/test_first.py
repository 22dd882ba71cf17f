from __future__ import annotations

import re

from sqlalchemy import select

from organizer.extensions import db
from organizer.mail.models import OutboundEmail
from organizer.signatures import confirmation, first, signing
from organizer.signatures.canonical import parse_address
from organizer.signatures.models import Signature, SignatureStatus
from organizer.signatures.signing import Outcome
from organizer.signatures.target import sign_target
from organizer.signatures.tokens import signature_for_manage_token

from .conftest import sign

COMPARED = (
    "campaign_id", "revision_id", "name", "country", "postal_code", "locale", "show_name",
    "show_name_text", "receive_updates", "receive_updates_text", "status", "suspect",
    "suspect_reason", "confirmation_sends", "ip_hmac", "email_domain",
)  # fmt: skip


def _signer(email, honeypot=""):
    return signing.Signer(
        name="Ada Lovelace",
        address=parse_address(email),
        country="GB",
        postal_code="NW1",
        show_name=True,
        receive_updates=False,
        locale="en",
        ip="192.0.2.1",
        honeypot=honeypot,
    )


def _sign_first(campaign, email, honeypot=""):
    target = sign_target(campaign.slug)
    signer = _signer(email, honeypot)
    outcome = first.sign_first(target, signer, signing.screen(target.campaign_id, signer))
    db.session.flush()
    return outcome


def _row(email):
    return db.session.scalars(
        select(Signature).where(Signature.canonical_email == parse_address(email).canonical)
    ).one()


def test_a_first_signature_is_the_row_and_email_the_full_path_writes(campaign):
    assert _sign_first(campaign, "fast@example.org") == Outcome.CREATED
    _outcome, slow = sign(campaign, "slow@example.org", postal_code="NW1", show_name=True)
    fast = _row("fast@example.org")
    assert {k: getattr(fast, k) for k in COMPARED} == {k: getattr(slow, k) for k in COMPARED}
    assert fast.status == SignatureStatus.PENDING and fast.token_expires_at is not None
    assert fast.created_at is not None and fast.created_at.tzinfo is not None

    confirmations = select(OutboundEmail).where(OutboundEmail.kind == "signature_confirm")
    emails = {e.to_addr: e for e in db.session.scalars(confirmations)}
    fast_mail, slow_mail = emails["fast@example.org"], emails["slow@example.org"]
    assert fast_mail.subject == slow_mail.subject
    assert (fast_mail.related_type, fast_mail.related_id) == ("signature", fast.id)
    # The manage link names this signature, and the confirmation link confirms it.
    manage = re.search(r"/s/manage/(\S+)", fast_mail.text_body).group(1)
    assert signature_for_manage_token(manage) == fast
    token = re.search(r"/s/confirm/(\S+)", fast_mail.text_body).group(1)
    assert confirmation.confirm(token) == fast
    assert fast.status == SignatureStatus.CONFIRMED


def test_an_address_that_signed_before_writes_nothing_on_the_fast_path(campaign):
    sign(campaign, "jane.doe@gmail.com")
    before = db.session.scalars(select(OutboundEmail)).all()
    assert _sign_first(campaign, "Jane.Doe+again@googlemail.com") is None
    assert db.session.scalars(select(OutboundEmail)).all() == before
    assert len(db.session.scalars(select(Signature)).all()) == 1


def test_a_suspect_first_signature_is_kept_and_mailed_nothing(campaign):
    assert _sign_first(campaign, "bot@example.org", honeypot="http://spam") == Outcome.SUSPECT
    row = _row("bot@example.org")
    assert row.suspect and row.suspect_reason == "honeypot" and row.token_hash is None
    assert row.confirmation_sends == 0
    assert db.session.scalars(select(OutboundEmail)).all() == []


def test_signing_twice_through_the_form_resends_through_the_full_path(app, client):
    from tests.factories import UserFactory

    from .conftest import ORIGIN, make_campaign, setup

    with setup(app):
        make_campaign(UserFactory(), slug="twice")
    form = {"name": "Ada", "email": "ada.l@gmail.com", "country": "GB"}
    for email in ("ada.l@gmail.com", "adal+again@gmail.com"):
        response = client.post("/c/twice/sign", data={**form, "email": email}, headers=ORIGIN)
        assert response.status_code == 200
        assert "Check your email" in response.get_data(as_text=True)
    with app.app_context():
        [signature] = db.session.scalars(select(Signature)).all()
        assert signature.confirmation_sends == 2
        mails = db.session.scalars(select(OutboundEmail.to_addr)).all()
        # The link goes again to the address first given, never to a new variant of it.
        assert mails == ["ada.l@gmail.com", "ada.l@gmail.com"]
