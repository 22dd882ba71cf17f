"""A campaign's address can never be one of Cahier's own pages."""

from __future__ import annotations

import pytest

from organizer.campaigns import services
from tests.factories import UserFactory


def _details(title: str, slug: str = "") -> services.CampaignDetails:
    return services.CampaignDetails(title=title, summary="We want more.", language="en", slug=slug)


@pytest.mark.parametrize("slug", ["new", "edit", "admin"])
def test_a_reserved_word_is_refused_as_an_address(ctx, slug):
    with pytest.raises(services.CampaignError, match="own pages"):
        services.create_campaign(UserFactory(), _details("Strike", slug))


def test_a_title_that_slugifies_to_a_reserved_or_short_word_gets_a_longer_address(ctx):
    owner = UserFactory()
    assert services.create_campaign(owner, _details("New")).slug == "new-campaign"
    assert services.create_campaign(owner, _details("A")).slug == "a-campaign"
    assert services.create_campaign(owner, _details("!!")).slug == "campaign"


def test_the_routes_fixed_segments_are_reserved(app):
    from organizer.urls import reserved_slugs

    with app.app_context():
        assert "new" in reserved_slugs()
