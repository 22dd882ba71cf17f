"""organizer.sharing.services: Mastodon instances as people write them, the addresses the
street carries, the flyer's demands and the preview cards' text."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from organizer.campaigns import services as campaigns
from organizer.extensions import db
from organizer.sharing import services
from tests.factories import EventFactory

from .conftest import SLUG, published_campaign


@pytest.mark.parametrize(
    ("typed", "instance"),
    [
        ("mastodon.social", "mastodon.social"),
        ("  https://Mastodon.Social/@ada ", "mastodon.social"),
        ("@ada@piaille.fr", "piaille.fr"),
        ("ada@mamot.fr", "mamot.fr"),
        ("http://social.exemple.coop/", "social.exemple.coop"),
        ("café.example", "xn--caf-dma.example"),
        ("localhost", None),
        ("javascript:alert(1)", None),
        ("evil.com\r\nSet-Cookie: x", None),
        ("-bad-.example", None),
        ("", None),
    ],
)
def test_a_mastodon_instance_is_a_host_name_or_nothing(typed, instance):
    assert services.mastodon_instance(typed) == instance


def test_the_street_carries_the_address_with_its_source_and_prints_a_short_one(app, ctx):
    campaign = published_campaign()
    base = app.config["BASE_URL"]
    assert services.street_url(campaign, "qr") == f"{base}/c/{SLUG}?source=qr"
    assert services.printed_url(campaign) == f"{urlsplit(base).netloc}/c/{SLUG}"


def test_the_flyer_takes_the_first_demand_of_each_section_first(ctx):
    campaign = published_campaign()
    demands, more = services.top_demands(campaign)
    assert [d.label for d in demands] == ["A1", "A2", "B1"]
    assert more == 0


def test_the_campaign_card_names_the_group_and_the_count_in_the_campaign_language(ctx):
    campaign = published_campaign(signers=2)
    card = services.campaign_card(campaign)
    assert (card.kicker, card.title) == (campaign.group.name, campaign.title)
    assert card.lines == ["Make platforms answer."]
    assert card.figure == "2 signatures"


def test_the_count_is_grouped_in_the_campaign_language(ctx):
    assert services.signature_count(1, "en") == "1 signature"
    assert services.signature_count(1234, "en") == "1,234 signatures"
    assert services.signature_count(1234, "fr") == "1\u202f234 signatures"


def test_the_event_card_shows_the_date_in_its_zone_and_language_and_the_city(ctx):
    event = EventFactory(starts_at=datetime(2026, 12, 8, 19, 0, tzinfo=UTC), city="Lyon",
                         country="FR", timezone="Europe/Paris", title="Projection")  # fmt: skip
    event.campaign.language = "fr"
    db.session.flush()
    card = services.event_card(event)
    assert card.figure == "mardi 8 décembre 2026, 20:00"
    assert card.lines == ["Lyon, France"]
    event.campaign.language = "en"
    event.timezone = "America/New_York"
    card = services.event_card(event)
    assert card.figure == "Tuesday 8 December 2026, 14:00"
    assert card.lines == ["Lyon, France"]


def test_the_share_box_copies_the_address_with_the_copy_code(app, ctx):
    campaign = published_campaign()
    box = services.share_box(campaign)
    assert box.copy_url == f"{app.config['BASE_URL']}/c/{SLUG}?source=share-copy"
    assert campaigns.get_by_slug(SLUG) is campaign
