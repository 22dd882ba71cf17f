"""The coalition's rules: who can be invited, the steps an invitation goes through, the
source code each partner gets, the site it gives, and the audit trail of every step."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from organizer.accounts.models import User
from organizer.audit.models import AuditLog
from organizer.audit.sentences import describe
from organizer.extensions import db
from organizer.mail.models import OutboundEmail
from organizer.partners import services
from organizer.partners.models import PartnerStatus
from organizer.sources.codes import CODE_PATTERN
from organizer.sources.services import define_code

from .conftest import SLUG, campaign_by_slug, owner_of


@pytest.fixture
def campaign(ctx, groups):
    return campaign_by_slug(SLUG)


def test_an_invitation_goes_to_the_groups_owners_in_their_language(campaign):
    alice = db.session.scalars(select(User).where(User.email == "alice@example.org")).one()
    alice.locale = "fr"
    partner = services.invite(campaign, " Alpha ", campaign.created_by)
    assert partner.status == PartnerStatus.INVITED
    assert partner.source_code == "partner-alpha"
    [email] = db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.kind == "partner_invitation")
    )
    assert email.to_addr == "alice@example.org" and email.locale == "fr"
    assert "/organize/groups/alpha" in email.text_body
    assert "Clean air now" in email.subject and "Alpha Collective" in email.subject


@pytest.mark.parametrize(
    ("slug", "message"),
    [("nobody", "No group has the address"), ("hosts", "the campaign's own group")],
)
def test_unknown_groups_and_the_campaigns_own_are_refused(campaign, slug, message):
    with pytest.raises(services.PartnerError, match=message):
        services.invite(campaign, slug, campaign.created_by)


def test_an_invitation_is_answered_once_and_can_be_renewed_after_a_no(campaign):
    partner = services.invite(campaign, "beta", campaign.created_by)
    with pytest.raises(services.PartnerError, match="already invited"):
        services.invite(campaign, "beta", campaign.created_by)
    services.decline(partner, owner_of("beta"))
    with pytest.raises(services.PartnerError, match="changed in the meantime"):
        services.accept(partner, owner_of("beta"))
    again = services.invite(campaign, "beta", campaign.created_by)
    assert again.id == partner.id and again.status == PartnerStatus.INVITED
    services.accept(again, owner_of("beta"))
    assert again.status == PartnerStatus.ACTIVE and again.accepted_at is not None
    with pytest.raises(services.PartnerError, match="already a partner"):
        services.invite(campaign, "beta", campaign.created_by)
    services.leave(again, campaign.created_by, by_campaign=True)
    assert again.status == PartnerStatus.LEFT and again.left_at is not None
    with pytest.raises(services.PartnerError):
        services.leave(again, campaign.created_by, by_campaign=True)
    # Back in the coalition, with the same row: the consents given to it stay its own.
    assert services.invite(campaign, "beta", campaign.created_by).id == partner.id


def test_the_source_code_is_well_formed_and_unique_in_the_campaign(campaign):
    define_code(campaign, "partner-alpha", "A newsletter")
    partner = services.invite(campaign, "alpha", campaign.created_by)
    assert partner.source_code == "partner-alpha-2"
    long_group = owner_of("gamma")
    from tests.factories import GroupFactory

    GroupFactory(owner=long_group, slug="a-very-long-group-address-that-goes-on-and-on")
    long = services.invite(campaign, "a-very-long-group-address-that-goes-on-and-on",
                           campaign.created_by)  # fmt: skip
    assert CODE_PATTERN.match(long.source_code) and len(long.source_code) <= 32


@pytest.mark.parametrize(
    ("typed", "origin"),
    [
        ("https://Partner.example.org/", "https://partner.example.org"),
        ("partner.example.org", "https://partner.example.org"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("", None),
    ],
)
def test_the_partners_site_is_kept_as_an_origin(typed, origin):
    assert services.clean_origin(typed) == origin


@pytest.mark.parametrize(
    "typed",
    ["ftp://example.org", "https://example.org/page", "https://example.org?x=1",
     "https://user@example.org", "https://example.org:99999", "javascript:alert(1)"],
)  # fmt: skip
def test_anything_but_an_origin_is_refused(typed):
    with pytest.raises(services.PartnerError, match="address of your site"):
        services.clean_origin(typed)


def test_every_step_is_audited_on_the_campaign_and_reads_as_a_sentence(campaign):
    owner = campaign.created_by
    alpha = services.invite(campaign, "alpha", owner)
    services.accept(alpha, owner_of("alpha"))
    services.set_origin(alpha, owner_of("alpha"), "https://alpha.example.org")
    services.leave(alpha, owner_of("alpha"), by_campaign=False)
    beta = services.invite(campaign, "beta", owner)
    services.leave(beta, owner, by_campaign=True)
    gamma = services.invite(campaign, "gamma", owner)
    services.decline(gamma, owner_of("gamma"))
    entries = db.session.scalars(
        select(AuditLog).where(AuditLog.campaign_id == campaign.id,
                               AuditLog.action.startswith("partner.")).order_by(AuditLog.id)
    ).all()  # fmt: skip
    assert [e.action for e in entries] == [
        "partner.invited", "partner.accepted", "partner.settings_saved", "partner.left",
        "partner.invited", "partner.invitation_withdrawn", "partner.invited", "partner.declined",
    ]  # fmt: skip
    assert describe(entries[0]) == "Olive Owner invited Alpha Collective to be a partner."
    assert (
        describe(entries[3]) == "Alpha Collective owner took Alpha Collective out of the coalition."
    )
    with force_locale("fr"):
        assert all(describe(e) for e in entries)
