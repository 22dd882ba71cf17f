from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from organizer.audit.models import AuditLog
from organizer.campaigns.models import Campaign
from organizer.db import utcnow
from organizer.extensions import db
from organizer.signatures import abuse, counting, moderation
from organizer.signatures.models import Signature, SignatureStatus
from organizer.signatures.tallies import JobStatus, ModerationJob
from tests.factories import MembershipFactory, UserFactory

from .conftest import confirm_now, login, make_campaign, setup, sign


def _fill(campaign):
    for i in range(6):
        confirm_now(
            sign(
                campaign,
                f"s{i}@flood.example",
                ip="198.51.100.9",
                postal_code="75011",
                country="FR",
            )[1]
        )
    for i in range(3):
        confirm_now(sign(campaign, f"p{i}@example.org", ip=f"192.0.2.{i}", country="GB")[1])
    sign(campaign, "pending@flood.example", ip="198.51.100.9")
    counting.fold()


def test_preview_then_invalidate_by_domain_decrements_and_audits(campaign, owner):
    _fill(campaign)
    filters = moderation.Filters(domain="FLOOD.example")
    assert moderation.preview(campaign, filters) == 7
    assert moderation.invalidate(campaign, owner, filters, "A flood from one domain") == 7
    counting.fold()
    assert counting.totals(campaign.id, None).online == 3 == counting.real_count(campaign.id)
    assert counting.by_country(campaign.id) == [("GB", 3)]
    entry = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "signatures.bulk_invalidate")
    ).one()
    assert entry.actor_id == owner.id and entry.details["done"] == 7
    assert entry.details["filters"]["domain"] == "FLOOD.example"
    assert entry.details["reason"] == "A flood from one domain"


def test_filters_by_ip_hash_postal_code_country_and_time(campaign, owner):
    _fill(campaign)
    ip_key = abuse.ip_hmac("198.51.100.9")
    today = utcnow().date()
    assert moderation.preview(campaign, moderation.Filters(ip_hmac=ip_key)) == 7
    assert moderation.preview(campaign, moderation.Filters(postal_code="75011")) == 6
    assert moderation.preview(campaign, moderation.Filters(country="gb")) == 4
    assert moderation.preview(campaign, moderation.Filters(since=today, until=today)) == 10
    assert moderation.preview(campaign, moderation.Filters(until=today - timedelta(days=1))) == 0
    assert moderation.preview(campaign, moderation.Filters()) == 0


def test_large_invalidations_run_as_a_job_with_progress(app, campaign, owner):
    _fill(campaign)
    app.config["SIGNATURE_BULK_SYNC_LIMIT"] = 2
    try:
        job = moderation.invalidate(
            campaign, owner, moderation.Filters(domain="flood.example"), "flood"
        )
    finally:
        app.config["SIGNATURE_BULK_SYNC_LIMIT"] = 500
    assert isinstance(job, ModerationJob) and job.total == 7 and job.status == JobStatus.QUEUED
    late = sign(campaign, "late@flood.example", country="FR")[1]  # after the preview: untouched
    steps = 0
    while not moderation.run_job_step(job.id):
        steps += 1
    assert job.status == JobStatus.DONE and job.processed == 7 and job.percent == 100
    assert db.session.get(Signature, late.id).status == SignatureStatus.PENDING
    counting.fold()
    assert counting.totals(campaign.id, None).online == 3
    [batch] = moderation.batches(campaign)
    assert batch.job_id == job.id and batch.invalidated == 7
    assert moderation.undo(campaign, owner, batch.id) == 7
    counting.fold()
    assert counting.totals(campaign.id, None).online == 9 == counting.real_count(campaign.id)


def test_the_hourly_report_lists_trending_ips_and_domains_once(campaign):
    _fill(campaign)
    later = utcnow() + timedelta(hours=1)
    [report] = abuse.build_reports(later)
    assert report.signatures == 10
    assert report.top_ips[0] == [abuse.ip_hmac("198.51.100.9"), 7]
    assert report.top_domains[0] == ["flood.example", 7]
    assert abuse.build_reports(later) == []


def test_ip_hashes_are_purged_after_thirty_days(campaign):
    old = sign(campaign, "old@example.org")[1]
    new = sign(campaign, "new@example.org")[1]
    old.created_at = utcnow() - timedelta(days=31)
    db.session.flush()
    assert abuse.purge_ip_hmacs() == 1
    db.session.refresh(old)
    db.session.refresh(new)
    assert old.ip_hmac is None and new.ip_hmac is not None


def test_moderation_pages_need_the_moderator_role(app, client):
    with setup(app):
        owner = UserFactory()
        campaign = make_campaign(owner, slug="mod")
        organizer = MembershipFactory(campaign=campaign, user=UserFactory()).user
        moderator = MembershipFactory(campaign=campaign, user=UserFactory(), role="moderator").user
        for i in range(3):
            sign(campaign, f"s{i}@flood.example")
        organizer_email, moderator_email = organizer.email, moderator.email
    login(client, organizer_email)
    assert client.get("/organize/mod/signatures/moderation").status_code == 403
    client.post("/account/logout", data={})
    other = app.test_client()
    login(other, moderator_email)
    page = other.get("/organize/mod/signatures/moderation?domain=flood.example")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "3 active signatures match" in html
    assert "s0@flood.example" not in html and "s***@flood.example" in html
    from tests.support.web import csrf_token

    response = other.post(
        "/organize/mod/signatures/moderation/invalidate",
        data={
            "csrf_token": csrf_token(html),
            "domain": "flood.example",
            "reason": "A flood",
            "confirm": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        statuses = db.session.scalars(select(Signature.status)).all()
        assert set(statuses) == {SignatureStatus.INVALIDATED}


def test_undo_restores_exactly_what_the_batch_still_holds(campaign, owner):
    _fill(campaign)
    elsewhere = db.session.scalars(
        select(Signature).where(Signature.email == "p0@example.org")
    ).one()
    from organizer.signatures import confirmation

    assert confirmation.invalidate(elsewhere)  # struck out one by one, not by the batch
    assert moderation.invalidate(campaign, owner, moderation.Filters(domain="flood.example"), "x")
    withdrawn = db.session.scalars(
        select(Signature).where(Signature.email == "s0@flood.example")
    ).one()
    withdrawn.status = SignatureStatus.WITHDRAWN  # the signer left since: not ours to restore
    db.session.flush()
    counting.fold()
    assert counting.totals(campaign.id, None).online == 2
    [batch] = moderation.batches(campaign)
    assert moderation.undo(campaign, owner, batch.id) == 6
    counting.fold()
    assert counting.totals(campaign.id, None).online == 7 == counting.real_count(campaign.id)
    assert dict(counting.by_country(campaign.id)) == {"FR": 5, "GB": 2}
    pending = db.session.scalars(
        select(Signature).where(Signature.email == "pending@flood.example")
    ).one()
    db.session.refresh(pending)
    db.session.refresh(elsewhere)
    assert pending.status == SignatureStatus.PENDING and pending.invalidated_at is None
    assert elsewhere.status == SignatureStatus.INVALIDATED
    entry = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "signatures.bulk_invalidate_undone")
    ).one()
    assert entry.details["restored"] == 6 and entry.campaign_id == campaign.id
    with pytest.raises(moderation.ModerationError):
        moderation.undo(campaign, owner, batch.id)


def test_an_invalidation_needs_a_reason(campaign, owner):
    _fill(campaign)
    with pytest.raises(moderation.ModerationError):
        moderation.invalidate(campaign, owner, moderation.Filters(domain="flood.example"), "  ")
    assert moderation.preview(campaign, moderation.Filters(domain="flood.example")) == 7


def test_emails_are_masked_to_their_first_letter_and_domain():
    assert moderation.mask_email("ada.lovelace@example.org") == "a***@example.org"
    assert moderation.mask_email("x@y") == "x***@y"


def _moderator_client(app):
    with setup(app):
        owner = UserFactory()
        campaign = make_campaign(owner, slug="mod")
        moderator = MembershipFactory(campaign=campaign, user=UserFactory(), role="moderator").user
        for i in range(3):
            confirm_now(sign(campaign, f"s{i}@flood.example", country="US")[1])
        counting.fold()
        email = moderator.email
    return login(app.test_client(), email)


def test_the_preview_lists_matches_and_applying_asks_reason_and_confirmation(app, client):
    from tests.support.web import csrf_token

    moderator = _moderator_client(app)
    html = moderator.get("/organize/mod/signatures/moderation?domain=flood.example").get_data(
        as_text=True
    )
    assert "s***@flood.example" in html and "United States" in html
    refused = moderator.post(
        "/organize/mod/signatures/moderation/invalidate",
        data={"csrf_token": csrf_token(html), "domain": "flood.example", "reason": ""},
    )
    assert refused.status_code == 422
    with app.app_context():
        assert set(db.session.scalars(select(Signature.status))) == {SignatureStatus.CONFIRMED}
    applied = moderator.post(
        "/organize/mod/signatures/moderation/invalidate",
        data={
            "csrf_token": csrf_token(html),
            "domain": "flood.example",
            "reason": "Bought signatures",
            "confirm": "y",
        },
        follow_redirects=True,
    )
    page = applied.get_data(as_text=True)
    assert "3 signatures are invalidated." in page
    assert "invalidated 3 signatures (reason: Bought signatures)." in page
    with app.app_context():
        batch_id = moderation.batches(_campaign("mod"))[0].id
    undone = moderator.post(
        f"/organize/mod/signatures/moderation/batches/{batch_id}/undo",
        data={"csrf_token": csrf_token(page)},
        follow_redirects=True,
    )
    assert "3 signatures are restored." in undone.get_data(as_text=True)
    with app.app_context():
        assert set(db.session.scalars(select(Signature.status))) == {SignatureStatus.CONFIRMED}


def _campaign(slug):
    return db.session.scalars(select(Campaign).where(Campaign.slug == slug)).one()
