"""The campaign's audit log page: every entry as a sentence in the reader's language."""

from __future__ import annotations

from flask import render_template

from organizer.audit.sentences import describe
from organizer.audit.services import PAGE_SIZE, campaign_entries
from organizer.campaigns.models import Campaign


def render_campaign_log(campaign: Campaign, page: int) -> str:
    page = max(page, 1)
    entries, total = campaign_entries(campaign.id, page)
    return render_template(
        "audit/log.html",
        campaign=campaign,
        rows=[(entry, describe(entry)) for entry in entries],
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
    )
