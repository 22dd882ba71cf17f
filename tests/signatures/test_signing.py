from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import func, select

from organizer.db import utcnow
from organizer.extensions import db
from organizer.mail.models import OutboundEmail
from organizer.signatures.consents import Purpose, has_consent, text_version
from organizer.signatures.models import Signature, SignatureConsent, SignatureStatus
from organizer.signatures.signing import Outcome
from tests.support.mail import emails_to

from .conftest import confirm_now, folded_total, sign


def test_signing_stores_a_pending_signature_bound_to_the_published_revision(campaign):
    outcome, signature = sign(
        campaign, "ada@example.org", postal_code="NW1", show_name=True, receive_updates=True
    )
    assert outcome == Outcome.CREATED
    assert signature.status == SignatureStatus.PENDING
    assert signature.revision.is_published and signature.revision.campaign_id == campaign.id
    given = db.session.scalars(
        select(SignatureConsent).where(SignatureConsent.signature_id == signature.id)
    ).all()
    assert {(c.purpose, c.text_version, c.withdrawn_at) for c in given} == {
        (Purpose.PUBLIC_LIST, text_version(Purpose.PUBLIC_LIST), None),
        (Purpose.UPDATES, text_version(Purpose.UPDATES), None),
    }
    assert {c.given_at for c in given} == {signature.created_at}
    assert not has_consent(signature, Purpose.NAME_TO_AUTHORITIES)
    assert signature.ip_hmac and "192.0.2.1" not in signature.ip_hmac
    [email] = emails_to("ada@example.org")
    assert email.kind == "signature_confirm"
    assert "/s/confirm/" in email.text_body and "/s/manage/" in email.text_body
    # A confirmation is transactional: no unsubscribe header on it.
    assert "List-Unsubscribe" not in email.headers
    assert folded_total(campaign) == 0


def test_signing_again_resends_instead_of_duplicating_at_most_three_times(campaign):
    sign(campaign, "jane.doe@gmail.com")
    outcomes = [
        sign(campaign, variant)[0]
        for variant in (
            "janedoe@gmail.com",
            "Jane.Doe+again@googlemail.com",
            "j.ane.doe@gmail.com",
            "janedoe+4@gmail.com",
            "janedoe+5@gmail.com",
        )
    ]
    assert outcomes == [Outcome.RESENT] * 3 + [Outcome.CAPPED] * 2
    count = db.session.scalar(select(func.count()).where(Signature.campaign_id == campaign.id))
    assert count == 1
    sent = db.session.scalar(
        select(func.count()).where(
            OutboundEmail.kind == "signature_confirm", OutboundEmail.to_addr.like("%gmail.com")
        )
    )
    assert sent == 4


def test_a_resent_link_replaces_the_old_one(campaign):
    from organizer.signatures import confirmation
    from organizer.signatures.tokens import new_confirmation_token

    _outcome, signature = sign(campaign, "ada@example.org")
    old = new_confirmation_token(signature)
    sign(campaign, "ada@example.org")
    assert confirmation.confirm(old) is None


def test_signing_twice_does_not_count_twice(campaign):
    _outcome, signature = sign(campaign, "ada@example.org")
    confirm_now(signature)
    outcome, again = sign(campaign, "ADA@example.org")
    assert outcome == Outcome.ALREADY_SIGNED and again.id == signature.id
    assert [e.kind for e in emails_to("ada@example.org")][-1] == "signature_already"
    assert folded_total(campaign) == 1


def test_honeypot_signatures_are_suspect_never_mailed_nor_counted(campaign):
    outcome, signature = sign(campaign, "bot@example.org", honeypot="http://spam.example")
    assert outcome == Outcome.SUSPECT and signature.suspect
    assert signature.suspect_reason == "honeypot"
    assert emails_to("bot@example.org") == []


def test_over_the_hard_ip_limit_signatures_are_quietly_suspect(app, campaign):
    app.config["SIGN_HARD_LIMIT_PER_IP"] = "2/minute"
    outcomes = [sign(campaign, f"p{i}@example.org", ip="198.51.100.7")[0] for i in range(4)]
    assert outcomes == [Outcome.CREATED, Outcome.CREATED, Outcome.SUSPECT, Outcome.SUSPECT]
    # Another address is not affected.
    assert sign(campaign, "other@example.org", ip="198.51.100.8")[0] == Outcome.CREATED


def test_over_the_domain_limit_signatures_are_suspect_except_big_providers(app, campaign):
    app.config["SIGN_LIMIT_PER_DOMAIN"] = "2/minute"
    outcomes = [sign(campaign, f"p{i}@flood.example", ip=f"198.51.100.{i}")[0] for i in range(3)]
    assert outcomes == [Outcome.CREATED, Outcome.CREATED, Outcome.SUSPECT]
    gmail = [sign(campaign, f"person{i}@gmail.com", ip=f"203.0.113.{i}")[0] for i in range(3)]
    assert gmail == [Outcome.CREATED] * 3


def test_signing_again_after_withdrawing_makes_a_fresh_pending_signature(campaign):
    from organizer.signatures import confirmation

    _outcome, signature = sign(campaign, "ada@example.org")
    confirm_now(signature)
    confirmation.withdraw(signature)
    outcome, again = sign(campaign, "ada@example.org", name="Ada King")
    assert outcome == Outcome.RESENT and again.id == signature.id
    assert again.status == SignatureStatus.PENDING and again.name == "Ada King"
    assert folded_total(campaign) == 0
    confirm_now(again)
    assert folded_total(campaign) == 1


def test_signing_again_after_withdrawing_takes_the_consents_of_the_new_form(campaign):
    from organizer.signatures import confirmation

    _outcome, signature = sign(campaign, "ada@example.org", show_name=True)
    confirm_now(signature)
    confirmation.withdraw(signature)
    sign(campaign, "ada@example.org", show_name=False, name_to_authorities=True)
    assert not has_consent(signature, Purpose.PUBLIC_LIST)
    assert has_consent(signature, Purpose.NAME_TO_AUTHORITIES)
    rows = db.session.scalars(
        select(SignatureConsent).where(SignatureConsent.signature_id == signature.id)
    ).all()
    # The withdrawn consent keeps its row, as the record of what was once agreed.
    assert {c.purpose: c.withdrawn_at is None for c in rows} == {
        Purpose.PUBLIC_LIST: False,
        Purpose.NAME_TO_AUTHORITIES: True,
    }


def _sign_again(campaign, email, requested_at, name="Ada Lovelace"):
    """What the worker does with a signature from an address on file (workers/signatures.py),
    its signer carried through JSON as the task's arguments are."""
    import json

    from organizer.campaigns import revisions
    from organizer.signatures import signing
    from organizer.signatures.canonical import parse_address

    signer = signing.Signer(
        name=name, address=parse_address(email), country="FR", postal_code="75001",
        locale="fr", consents=frozenset({Purpose.UPDATES}), ip="192.0.2.1",
    )  # fmt: skip
    payload = json.loads(json.dumps(signing.signer_payload(signer)))
    assert "192.0.2.1" not in json.dumps(payload)
    carried = signing.signer_from_payload(payload)
    assert carried == dataclasses.replace(signer, ip=None)
    revision = revisions.published_revision(campaign)
    outcome = signing.sign_again(campaign.id, revision.id, carried, requested_at)
    db.session.flush()
    return outcome


def test_the_worker_resends_to_the_address_on_file(campaign):
    _outcome, signature = sign(campaign, "jane.doe@gmail.com")
    outcome = _sign_again(campaign, "janedoe+again@gmail.com", utcnow())
    assert outcome == Outcome.RESENT and signature.confirmation_sends == 2
    assert [e.kind for e in emails_to("jane.doe@gmail.com")] == ["signature_confirm"] * 2
    assert emails_to("janedoe+again@gmail.com") == []


def test_the_worker_takes_the_new_form_of_a_withdrawn_signature(campaign):
    from organizer.signatures import confirmation

    _outcome, signature = sign(campaign, "ada@example.org", show_name=True)
    confirm_now(signature)
    confirmation.withdraw(signature)
    assert _sign_again(campaign, "ada@example.org", utcnow(), name="Ada King") == Outcome.RESENT
    assert signature.status == SignatureStatus.PENDING
    assert (signature.name, signature.locale, signature.country) == ("Ada King", "fr", "FR")
    assert has_consent(signature, Purpose.UPDATES)
    assert not has_consent(signature, Purpose.PUBLIC_LIST)


def test_the_worker_ignores_a_signature_newer_than_the_request(campaign):
    """A task outlives its request: the address's signature may have been erased and
    given again since, and that newer one is not what the request found on file."""
    requested_at = utcnow() - timedelta(seconds=1)
    _outcome, signature = sign(campaign, "ada@example.org")
    assert _sign_again(campaign, "ada@example.org", requested_at) is None
    assert signature.confirmation_sends == 1 and len(emails_to("ada@example.org")) == 1
    assert _sign_again(campaign, "nobody@example.org", utcnow()) is None


def test_a_lost_sign_again_task_is_swept_and_done_once(campaign, app):
    """The broker lost the task: the row waits, the sweeper requeues it, one worker does
    it, and a second run (a duplicate delivery) finds nothing left to do."""
    from organizer.campaigns import revisions
    from organizer.signatures import sign_again, signing
    from organizer.signatures.canonical import parse_address
    from organizer.signatures.models import SignAgainRequest

    _outcome, signature = sign(campaign, "ada@example.org")
    signer = signing.Signer(
        name="Ada", address=parse_address("ada@example.org"), country="FR", postal_code=None,
        locale="fr", consents=frozenset(), ip=None,
    )  # fmt: skip
    long_ago = utcnow() - timedelta(seconds=app.config["OUTBOX_SWEEP_AGE_SECONDS"] + 5)
    signature.created_at = long_ago - timedelta(seconds=1)  # it was on file then
    revision = revisions.published_revision(campaign)
    sign_again.defer(campaign.id, revision.id, signer, long_ago)
    [request_id] = db.session.scalars(select(SignAgainRequest.id)).all()

    assert sign_again.sweep() == [request_id]
    assert sign_again.run(request_id) == Outcome.RESENT
    assert sign_again.run(request_id) is None
    assert db.session.scalars(select(SignAgainRequest)).all() == []
    assert signature.confirmation_sends == 2 and len(emails_to("ada@example.org")) == 2
