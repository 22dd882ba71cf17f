"""Per-campaign signature settings, with defaults for campaigns that never changed them."""

from __future__ import annotations

from organizer.campaigns.models import Campaign
from organizer.extensions import db
from organizer.signatures.models import PostalCodeMode, SignatureSettings


def settings_for(campaign: Campaign) -> SignatureSettings:
    found = db.session.get(SignatureSettings, campaign.id)
    if found is not None:
        return found
    return SignatureSettings(
        campaign_id=campaign.id, postal_code=PostalCodeMode.OFF, notify_signers_on_milestones=False
    )


def save_settings(
    campaign: Campaign, postal_code: PostalCodeMode, notify_signers_on_milestones: bool
) -> SignatureSettings:
    settings = db.session.get(SignatureSettings, campaign.id)
    if settings is None:
        settings = SignatureSettings(campaign_id=campaign.id)
        db.session.add(settings)
    settings.postal_code = postal_code
    settings.notify_signers_on_milestones = notify_signers_on_milestones
    db.session.flush()
    return settings
