from __future__ import annotations

from sqlalchemy import func, select

from organizer import demo
from organizer.campaigns import revisions
from organizer.campaigns.models import Campaign, Demand, Revision
from organizer.extensions import db


def counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Campaign, Demand, Revision)
    )


def test_seeding_twice_changes_nothing(ctx):
    owner = demo.seed_demo_organizer().user
    campaign = demo.seed_demo_campaign(owner)
    revision = revisions.published_revision(campaign)
    assert [len(s["demands"]) for s in revision.snapshot["sections"]] == [9, 6, 2]
    before = counts(), revision.content_hash
    assert demo.seed_demo_campaign(demo.seed_demo_organizer().user) is None
    assert (counts(), revisions.published_revision(campaign).content_hash) == before


def test_the_demo_campaign_is_listed_and_shows_17_demands(app, client):
    with app.app_context():
        demo.seed_demo_campaign(demo.seed_demo_organizer().user)
        db.session.commit()
    listing = client.get("/campaigns").get_data(as_text=True)
    assert f'href="/c/{demo.DEMO_CAMPAIGN_SLUG}"' in listing
    html = client.get(f"/c/{demo.DEMO_CAMPAIGN_SLUG}").get_data(as_text=True)
    labels = [f"A{i}" for i in range(1, 10)] + [f"B{i}" for i in range(1, 7)] + ["C1", "C2"]
    assert all(f'id="{label}"' in html for label in labels)
    assert html.count('class="demand"') == 17
    assert "United States" in html  # the Congress hearing names its jurisdiction
