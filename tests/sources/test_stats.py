from __future__ import annotations

from organizer.campaigns import revisions
from organizer.events.models import RSVPStatus
from organizer.extensions import db
from organizer.signatures.models import SignatureStatus
from organizer.sources import stats
from organizer.sources.codes import NO_SOURCE
from tests.factories import EventFactory, RSVPFactory, SignatureFactory

CONFIRMED, PENDING = SignatureStatus.CONFIRMED, SignatureStatus.PENDING


def _signatures(campaign, source, status, n):
    revision = revisions.published_revision(campaign)
    for _ in range(n):
        SignatureFactory(campaign_id=campaign.id, revision_id=revision.id, source=source,
                         status=status)  # fmt: skip


def test_confirmed_pending_and_conversion_per_source(coalition):
    campaign = coalition.campaign
    _signatures(campaign, "partner-a", CONFIRMED, 3)
    _signatures(campaign, "partner-a", PENDING, 1)
    _signatures(campaign, "partner-a", SignatureStatus.WITHDRAWN, 2)
    _signatures(campaign, "share-mastodon", PENDING, 2)
    _signatures(campaign, None, CONFIRMED, 5)
    _signatures(campaign, "old-code", CONFIRMED, 1)
    event = EventFactory(campaign=campaign)
    for status, source in (
        (RSVPStatus.GOING, "partner-a"),
        (RSVPStatus.WAITLISTED, "partner-a"),
        (RSVPStatus.PENDING, "partner-a"),
        (RSVPStatus.GOING, "newsletter"),
    ):
        RSVPFactory(event=event, status=status, source=source)  # fmt: skip
    db.session.flush()

    rows = {row.code: row for row in stats.source_rows(campaign)}
    a = rows["partner-a"]
    assert (a.confirmed, a.pending, a.rsvps, a.conversion) == (3, 1, 2, 0.75)
    assert str(a.label) == "Partner: Friends of partner-a"
    mastodon = rows["share-mastodon"]
    assert (mastodon.confirmed, mastodon.pending, mastodon.conversion) == (0, 2, 0.0)
    assert str(mastodon.label) == "Share: Mastodon"
    # A partner that left still counts; a defined code with nothing yet is listed.
    assert rows["partner-b"].conversion is None
    newsletter = rows["newsletter"]
    assert (newsletter.confirmed, newsletter.rsvps, newsletter.label) == (
        0, 1, "November newsletter",
    )  # fmt: skip
    assert rows["old-code"].confirmed == 1  # deleted since: its signatures still show
    assert "partner-c" not in rows and "qr" not in rows
    order = [row.code for row in stats.source_rows(campaign)]
    assert order[0] == "partner-a" and order[-1] is None
    assert rows[None].filter_value == NO_SOURCE


def test_the_export_choices_are_the_sources_with_confirmed_signatures(coalition):
    campaign = coalition.campaign
    _signatures(campaign, None, CONFIRMED, 2)
    assert stats.export_choices(campaign) == []  # all direct: nothing to choose
    _signatures(campaign, "partner-a", CONFIRMED, 1)
    _signatures(campaign, "share-x", PENDING, 1)
    assert stats.export_choices(campaign) == [
        ("partner-a", "partner-a (1 signature)"),
        (NO_SOURCE, "No source (direct) (2 signatures)"),
    ]
