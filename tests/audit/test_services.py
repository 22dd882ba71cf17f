from __future__ import annotations

from organizer.audit.services import campaign_entries, entries_for, record
from tests.factories import CampaignFactory, UserFactory


def test_entries_are_recorded_with_actor_and_details_newest_first(ctx):
    user = UserFactory()
    mine, other = CampaignFactory(), CampaignFactory()
    record(user, "thing.done", "campaign", mine.id, {"n": 1})
    record(None, "thing.redone", "campaign", mine.id)
    record(user, "other", "campaign", other.id)
    entries = entries_for("campaign", mine.id)
    assert [e.action for e in entries] == ["thing.redone", "thing.done"]
    assert entries[1].actor_id == user.id and entries[1].details == {"n": 1}
    assert entries[0].actor_id is None and entries[0].at is not None


def test_a_campaigns_log_gathers_entries_about_its_letters_and_pledges_too(ctx):
    user = UserFactory()
    mine, other = CampaignFactory(), CampaignFactory()
    record(user, "campaign.published", "campaign", mine.id, {"revision": 1})
    record(user, "letter.written", "letter", 41, {"campaign_id": mine.id, "body": "cnil"})
    record(user, "pledge.created", "pledge", 5, {"campaign": mine.id, "threshold": 3})
    record(user, "letter.written", "letter", 42, {"campaign_id": other.id})
    record(None, "signature.withdrawn_by_signer", "signature", 9)
    entries, total = campaign_entries(mine.id)
    assert total == 3
    assert [e.action for e in entries] == ["pledge.created", "letter.written", "campaign.published"]


def test_publishing_is_logged_with_its_revision(ctx):
    from sqlalchemy import select

    from organizer.audit.models import AuditLog
    from organizer.extensions import db
    from tests.signatures.conftest import make_campaign

    owner = UserFactory(display_name="Alice")
    campaign = make_campaign(owner, slug="logged")
    entry = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "campaign.published")
    ).one()
    assert entry.campaign_id == campaign.id and entry.actor_id == owner.id
    assert entry.details["revision"] == 1
