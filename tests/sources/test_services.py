from __future__ import annotations

import pytest

from organizer.sources import services
from organizer.sources.codes import BUILT_IN_CODES

from .conftest import add_partner


def test_registered_codes_are_built_in_partners_in_or_gone_and_the_teams(coalition):
    codes = services.registered_codes(coalition.campaign)
    assert codes >= BUILT_IN_CODES
    assert {"share-mastodon", "qr", "flyer", "partner-a", "partner-b", "newsletter"} <= codes
    # Only invited: the partner has not accepted, its code does not count yet.
    assert "partner-c" not in codes


def test_clean_source_keeps_registered_codes_only(coalition):
    campaign = coalition.campaign
    assert services.clean_source(campaign, "partner-a") == "partner-a"
    assert services.clean_source(campaign.id, "share-x") == "share-x"
    assert services.clean_source(("slug", "strike"), "newsletter") == "newsletter"
    for bad in (None, "", "partner-c", "made-up", "Partner-A", "-a", "a" * 33, "x y", "é"):
        assert services.clean_source(campaign, bad) is None


def test_a_built_in_code_costs_no_query_and_others_one(coalition, statements):
    campaign_id = coalition.campaign.id
    statements.count = 0
    assert services.clean_source(campaign_id, "share-email") == "share-email"
    assert services.clean_source(campaign_id, "not a code!") is None
    assert statements.count == 0
    assert services.clean_source(("slug", "strike"), "partner-b") == "partner-b"
    assert statements.count == 1


def test_codes_are_read_once_per_request(app, coalition, statements):
    with app.test_request_context("/c/strike"):
        services.registered_codes(("slug", "strike"))
        services.clean_source(("slug", "strike"), "newsletter")
        services.clean_source(("slug", "strike"), "unknown")
    assert statements.count == 1


def test_defining_a_code_validates_it(coalition):
    campaign = coalition.campaign
    defined = services.define_code(campaign, " stall-lyon ", " Saturday stall ")
    assert (defined.code, defined.label) == ("stall-lyon", "Saturday stall")
    assert "stall-lyon" in services.registered_codes(campaign)
    for taken in ("stall-lyon", "newsletter", "share-x", "qr", "partner-a", "partner-c"):
        with pytest.raises(services.SourceCodeError, match="already in use"):
            services.define_code(campaign, taken)
    for malformed in ("Stall", "-stall", "stall lyon", "a" * 33, ""):
        with pytest.raises(services.SourceCodeError, match="lowercase"):
            services.define_code(campaign, malformed)


def test_code_in_use_is_what_partners_check_too(coalition):
    campaign_id = coalition.campaign.id
    assert services.code_in_use(campaign_id, "newsletter")
    assert services.code_in_use(campaign_id, "partner-c")
    assert services.code_in_use(campaign_id, "share-copy")
    assert not services.code_in_use(campaign_id, "partner-d")


def test_deleting_a_code_unregisters_it_on_its_campaign_only(coalition):
    campaign = coalition.campaign
    [newsletter] = services.defined_codes(campaign)
    other = add_partner(campaign, "partner-z").campaign
    assert services.delete_code(other, 10**9) is None
    assert services.delete_code(campaign, newsletter.id).code == "newsletter"
    assert services.defined_codes(campaign) == []
    assert "newsletter" not in services.registered_codes(campaign)
