"""The group's name and postal address are the defaults of a campaign's letter settings;
a campaign's own values win, and one that keeps the defaults follows the group."""

from __future__ import annotations

from organizer.extensions import db
from organizer.letters import settings
from organizer.letters.models import LetterSettings
from tests.campaigns.conftest import build_campaign
from tests.factories import GroupFactory, UserFactory

ADDRESS = "Riders' Union\n3 Rue du Vélo\n69001 Lyon"


def campaign_in_a_group():
    owner = UserFactory()
    campaign = build_campaign(owner, title="Fair pay")
    group = GroupFactory(owner=owner, name="Riders' Union", postal_address=ADDRESS)
    campaign.group_id = group.id
    db.session.flush()
    db.session.refresh(campaign)
    return campaign, owner


def details(**changes):
    values = {"signatory": "Rosa Rider", "organization": "Riders' Union",
              "postal_address": ADDRESS, "email": "letters@riders.example"}  # fmt: skip
    return settings.SettingsDetails(**{**values, **changes})


def test_the_form_starts_from_the_groups_name_and_address(ctx):
    campaign, _owner = campaign_in_a_group()
    shown = settings.form_values(campaign)
    assert (shown.organization, shown.postal_address) == ("Riders' Union", ADDRESS)
    assert (shown.signatory, shown.email) == ("", "")
    assert settings.settings_of(campaign) is None  # nothing saved: not ready to send


def test_kept_defaults_follow_the_group(ctx):
    campaign, owner = campaign_in_a_group()
    settings.save(campaign, owner, details())
    stored = db.session.get(LetterSettings, campaign.id)
    assert (stored.organization, stored.postal_address) == ("", "")
    assert settings.is_complete(campaign)
    campaign.group.name = "Riders United"
    campaign.group.postal_address = "1 Place Neuve\n69002 Lyon"
    sender = settings.settings_of(campaign)
    assert (sender.organization, sender.postal_address) == (
        "Riders United",
        "1 Place Neuve\n69002 Lyon",
    )


def test_a_campaigns_own_values_win(ctx):
    campaign, owner = campaign_in_a_group()
    settings.save(campaign, owner, details(organization="Fair Pay Coalition",
                                           postal_address="PO Box 9\nLyon"))  # fmt: skip
    campaign.group.name = "Renamed"
    sender = settings.settings_of(campaign)
    assert (sender.organization, sender.postal_address) == ("Fair Pay Coalition", "PO Box 9\nLyon")
    assert settings.form_values(campaign).organization == "Fair Pay Coalition"


def test_without_a_group_address_the_settings_are_incomplete_until_one_is_given(ctx):
    campaign, owner = campaign_in_a_group()
    campaign.group.postal_address = ""
    settings.save(campaign, owner, details(postal_address=""))
    assert not settings.is_complete(campaign)
    campaign.group.postal_address = ADDRESS
    assert settings.is_complete(campaign)
