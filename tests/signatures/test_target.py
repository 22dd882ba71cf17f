from __future__ import annotations

import pytest

from organizer.campaigns.models import CampaignStatus
from organizer.extensions import db
from organizer.signatures import target as targets
from organizer.signatures.models import PostalCodeMode
from organizer.signatures.settings import save_settings


@pytest.fixture
def cached(app):
    app.config["SIGN_TARGET_CACHE_SECONDS"] = 60
    app.extensions.pop(targets.CACHE_KEY, None)
    yield
    app.config["SIGN_TARGET_CACHE_SECONDS"] = 0
    app.extensions.pop(targets.CACHE_KEY, None)


def test_a_published_campaign_is_a_target_with_its_published_revision(campaign):
    target = targets.sign_target(campaign.slug)
    assert target is not None
    assert target.campaign_id == campaign.id and target.title == campaign.title
    assert target.is_open and target.postal_code == PostalCodeMode.OFF
    from organizer.campaigns import revisions

    assert target.revision_id == revisions.published_revision(campaign).id


def test_unknown_and_never_published_campaigns_are_no_target(owner):
    from organizer.campaigns import services

    draft = services.create_campaign(
        owner, services.CampaignDetails(title="Draft", summary="", language="en", slug="draft")
    )
    db.session.flush()
    assert targets.sign_target(draft.slug) is None
    assert targets.sign_target("no-such-campaign") is None


def test_the_cache_serves_repeats_without_a_query_and_forgets_on_a_change(cached, campaign, app):
    first = targets.sign_target(campaign.slug)
    statements = []
    from sqlalchemy import event

    engine = db.session.get_bind()

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert targets.sign_target(campaign.slug) is first
        assert statements == []
    finally:
        event.remove(engine, "before_cursor_execute", count)

    # A change in this process clears the cache at once (others see it within the TTL).
    save_settings(campaign, PostalCodeMode.REQUIRED, False)
    campaign.status = CampaignStatus.CLOSED
    db.session.flush()
    changed = targets.sign_target(campaign.slug)
    assert changed is not first
    assert changed.postal_code == PostalCodeMode.REQUIRED and not changed.is_open


def test_without_a_ttl_every_call_reads_the_database(campaign, app):
    assert app.config["SIGN_TARGET_CACHE_SECONDS"] == 0
    first = targets.sign_target(campaign.slug)
    assert targets.sign_target(campaign.slug) == first
    assert targets.sign_target(campaign.slug) is not first
