from __future__ import annotations

from datetime import timedelta

from organizer.db import utcnow
from organizer.extensions import db
from organizer.signatures import confirmation, counting
from organizer.signatures.models import SignatureStatus
from organizer.signatures.tokens import hash_token, new_confirmation_token

from .conftest import confirm_now, folded_total, sign


def test_a_token_is_stored_hashed_and_works_once(campaign):
    _outcome, signature = sign(campaign, "ada@example.org")
    token = new_confirmation_token(signature)
    assert signature.token_hash == hash_token(token) and token not in signature.token_hash
    assert len(token) >= 43  # 32 random bytes, base64url
    assert confirmation.confirm(token) is not None
    assert signature.status == SignatureStatus.CONFIRMED
    assert confirmation.confirm(token) is None
    assert folded_total(campaign) == 1


def test_a_used_token_is_kept_hashed_and_marked_used_so_a_second_click_is_recognized(campaign):
    _outcome, signature = sign(campaign, "ada@example.org")
    token = new_confirmation_token(signature)
    assert confirmation.already_confirmed_by(token) is None  # not used yet
    confirmation.confirm(token)
    assert signature.token_hash == hash_token(token) and signature.token_used_at is not None
    assert confirmation.signature_for_token(token) is None
    assert confirmation.already_confirmed_by(token) == signature
    assert confirmation.already_confirmed_by("unknown-token") is None
    # A fresh link (signing again after withdrawing) is live again, and unused.
    confirmation.withdraw(signature)
    assert confirmation.already_confirmed_by(token) is None
    fresh = new_confirmation_token(signature)
    assert signature.token_used_at is None and confirmation.already_confirmed_by(fresh) is None


def test_a_token_expires_after_fourteen_days(campaign):
    _outcome, signature = sign(campaign, "ada@example.org")
    token = new_confirmation_token(signature)
    assert signature.token_expires_at - utcnow() > timedelta(days=13, hours=23)
    signature.token_expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert confirmation.confirm(token) is None
    assert signature.status == SignatureStatus.PENDING


def test_withdrawn_and_invalidated_signatures_leave_the_count_exact(campaign):
    signatures = [confirm_now(sign(campaign, f"s{i}@example.org")[1]) for i in range(5)]
    pending = sign(campaign, "pending@example.org")[1]
    assert folded_total(campaign) == 5
    assert confirmation.withdraw(signatures[0])
    assert not confirmation.withdraw(signatures[0])  # twice is once
    assert confirmation.invalidate(signatures[1])
    assert not confirmation.withdraw(signatures[1])
    assert confirmation.withdraw(pending)  # was never counted
    assert folded_total(campaign) == 3
    assert counting.real_count(campaign.id) == 3
    assert dict(counting.by_country(campaign.id)) == {"GB": 3}
