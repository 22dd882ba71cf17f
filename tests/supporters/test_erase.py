"""Erasing a supporter: personal data goes across the group, the counts stay, the audit log
names no address, and a returning signer is not counted twice."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from organizer.audit.models import AuditLog
from organizer.audit.sentences import describe
from organizer.events.models import RSVPStatus
from organizer.extensions import db
from organizer.letters import directory, documents
from organizer.letters import services as letters
from organizer.letters.models import DocumentKind, DocumentsStatus, LetterStatus
from organizer.mail.models import EmailStatus, OutboundEmail
from organizer.signatures import counting
from organizer.signatures.consents import Purpose, has_consent
from organizer.signatures.models import SignatureStatus
from organizer.supporters.erase import erase, erase_address
from organizer.supporters.models import ConsentEvent, ErasedSupporter, Supporter, Tag, Tagging
from organizer.supporters.status import supporter_for
from organizer.supporters.tombstones import email_hmac
from tests.events.conftest import confirmed_guest
from tests.factories import EventFactory, UserFactory
from tests.letters.conftest import build_campaign
from tests.signatures.conftest import confirm_now, folded_total, make_campaign, sign

ADA = "ada.lovelace@example.org"


@pytest.fixture
def owner(ctx):
    return UserFactory(display_name="Olive Owner")


@pytest.fixture
def campaign(owner):
    return make_campaign(owner, slug="erase-me", goal=100)


def _ada(campaign, **extra):
    extra.setdefault("ip", "192.0.2.40")
    signature = sign(campaign, ADA, postal_code="SW1A 2AA", receive_updates=True, **extra)[1]
    return confirm_now(signature)


def test_erasing_removes_personal_data_and_keeps_the_count(campaign, owner):
    signature = _ada(campaign)
    other = confirm_now(sign(campaign, "bea@example.org", name="Bea", ip="192.0.2.41")[1])
    supporter = db.session.get(Supporter, signature.supporter_id)
    tag = Tag(group_id=campaign.group_id, name="volunteers")
    db.session.add(tag)
    db.session.flush()
    db.session.add(Tagging(supporter_id=supporter.id, tag_id=tag.id))
    assert folded_total(campaign) == 2

    erasure = erase(supporter, owner)
    db.session.flush()
    db.session.refresh(signature)
    assert (erasure.signatures, erasure.still_counted) == (1, 1) and not erasure.already_erased
    assert folded_total(campaign) == 2  # the count stays
    assert signature.status == SignatureStatus.CONFIRMED and signature.is_counted
    assert (signature.name, signature.email, signature.postal_code) == ("", "", None)
    assert ADA not in signature.canonical_email and signature.country == "GB"
    assert not has_consent(signature, Purpose.PUBLIC_LIST)
    assert (supporter.email, supporter.canonical_email, supporter.name) == (None, None, "")
    assert supporter.postal_code is None and supporter.erased_at is not None
    assert supporter.status == "unsubscribed"
    last = db.session.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.supporter_id == supporter.id)
        .order_by(ConsentEvent.id.desc())
    ).first()
    assert (last.granted, last.source_type) == (False, "erase")
    assert (
        db.session.scalars(select(Tagging).where(Tagging.supporter_id == supporter.id)).all() == []
    )
    # Someone else's signature is untouched.
    assert other.name == "Bea" and other.email == "bea@example.org"
    assert erase(supporter, owner).already_erased


def test_the_erasure_is_audited_without_the_address(campaign, owner):
    supporter = db.session.get(Supporter, _ada(campaign).supporter_id)
    erase(supporter, owner)
    db.session.flush()
    [entry] = db.session.scalars(select(AuditLog).where(AuditLog.action == "supporter.erased"))
    assert entry.actor_id == owner.id and entry.object_id == supporter.id
    assert entry.details["signatures"] == 1 and entry.details["group"] == campaign.group_id
    text = json.dumps(entry.details) + describe(entry)
    assert "ada" not in text.lower() and "lovelace" not in text.lower()
    assert "Olive Owner erased a supporter" in describe(entry)


def test_a_keyed_hmac_is_kept_not_the_address(campaign, app):
    supporter = db.session.get(Supporter, _ada(campaign).supporter_id)
    erase(supporter, None)
    db.session.flush()
    [kept] = db.session.scalars(
        select(ErasedSupporter).where(ErasedSupporter.group_id == campaign.group_id)
    )
    assert kept.email_hmac == email_hmac(ADA) and ADA not in kept.email_hmac
    # Keyed with the app secret: another key gives another value.
    saved = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "another secret"
    try:
        assert email_hmac(ADA) != kept.email_hmac
    finally:
        app.config["SECRET_KEY"] = saved


def test_signing_again_after_erasure_is_not_counted_twice(campaign):
    first = _ada(campaign)
    erase(db.session.get(Supporter, first.supporter_id), None)
    db.session.flush()
    assert folded_total(campaign) == 1
    again = _ada(campaign, ip="192.0.2.42")
    db.session.refresh(first)
    assert again.id != first.id and again.is_counted
    assert first.status == SignatureStatus.WITHDRAWN  # the new signature took its place
    assert folded_total(campaign) == 1
    # A new supporter, with the consent given now; the erased one stays erased.
    fresh = supporter_for(campaign.group_id, ADA)
    assert fresh is not None and fresh.id != first.supporter_id and fresh.status == "subscribed"
    # Erased a second time, the person still counts once.
    erase(fresh, None)
    db.session.flush()
    assert folded_total(campaign) == 1


def test_another_persons_new_signature_replaces_nothing(campaign):
    erase(db.session.get(Supporter, _ada(campaign).supporter_id), None)
    confirm_now(sign(campaign, "cy@example.org", ip="192.0.2.43")[1])
    assert folded_total(campaign) == 2


def test_erasing_reaches_every_campaign_and_screening_of_the_group(campaign, owner):
    second = make_campaign(owner, slug="second-campaign", title="Second")
    second.group_id = campaign.group_id
    elsewhere = make_campaign(UserFactory(), slug="other-group", title="Other group")
    db.session.flush()
    signature = _ada(campaign)
    pending = sign(second, ADA, ip="192.0.2.44")[1]  # never confirmed: not counted
    outside = confirm_now(sign(elsewhere, ADA, ip="192.0.2.45")[1])
    going = confirmed_guest(EventFactory(campaign=campaign), "Ada.Lovelace@Example.org")
    full = EventFactory(campaign=campaign, capacity=1)
    confirmed_guest(full, "someone@example.org")
    waiting = confirmed_guest(full, ADA)
    assert waiting.status == RSVPStatus.WAITLISTED
    erasure = erase(db.session.get(Supporter, signature.supporter_id), None)
    db.session.flush()
    for row in (pending, going, waiting):
        db.session.refresh(row)
    assert (erasure.signatures, erasure.still_counted, erasure.rsvps) == (2, 1, 2)
    assert pending.status == SignatureStatus.WITHDRAWN and pending.name == ""
    # A place taken stays taken; a place waited for is given up: no one is left to tell.
    assert going.status == RSVPStatus.GOING and going.name == "" and "@" not in going.email
    assert going.manage_salt is None and waiting.status == RSVPStatus.CANCELLED
    # The other group's data is its own.
    assert outside.email == ADA and supporter_for(elsewhere.group_id, ADA) is not None


def test_emails_about_the_erased_actions_lose_their_address_and_text(campaign):
    signature = _ada(campaign)
    mails = db.session.scalars(
        select(OutboundEmail).where(
            OutboundEmail.related_type == "signature", OutboundEmail.related_id == signature.id
        )
    ).all()
    assert mails and any(mail.status == EmailStatus.QUEUED for mail in mails)
    erasure = erase(db.session.get(Supporter, signature.supporter_id), None)
    db.session.flush()
    assert erasure.emails == len(mails)
    for mail in mails:
        db.session.refresh(mail)
        assert mail.to_addr == "" and mail.text_body == "" and "Ada" not in mail.html_body
        assert mail.status != EmailStatus.QUEUED


def test_a_person_who_is_not_a_supporter_yet_can_be_erased(campaign):
    pending = sign(campaign, ADA, ip="192.0.2.46")[1]
    erasure = erase_address(campaign.group_id, ADA, None)
    db.session.flush()
    db.session.refresh(pending)
    assert (erasure.signatures, erasure.still_counted) == (1, 0)
    assert pending.name == "" and pending.status == "withdrawn"
    assert (
        db.session.scalars(select(Supporter).where(Supporter.group_id == campaign.group_id)).all()
        == []
    )


def test_draft_letters_are_rebuilt_without_the_name_and_sent_ones_stay(owner):
    directory.import_bundled()
    campaign = build_campaign(owner, slug="letters-erase")
    signature = sign(campaign, ADA, name="Ada Lovelace", country="GB", ip="192.0.2.47",
                     name_to_authorities=True)[1]  # fmt: skip
    confirm_now(signature)
    written = letters.write_letters(letters.preview(campaign, add=[]), owner)
    draft, sent = [letter for letter in written if "GB" in letter.counts_by_country][:2]
    for letter in (draft, sent):
        documents.generate(letter)
        assert b"Ada Lovelace" in letter.document(DocumentKind.ANNEX_CSV).content
    sent.status = LetterStatus.SENT
    db.session.flush()

    erasure = erase(db.session.get(Supporter, signature.supporter_id), None)
    db.session.flush()
    assert erasure.drafts_rebuilt >= 1
    db.session.refresh(draft)
    assert draft.documents_status == DocumentsStatus.PENDING and draft.documents == []
    documents.generate(draft)
    assert b"Ada Lovelace" not in draft.document(DocumentKind.ANNEX_CSV).content
    db.session.refresh(sent)
    assert b"Ada Lovelace" in sent.document(DocumentKind.ANNEX_CSV).content
    counting.fold()
    assert draft.signers_total == 1
