"""What the public campaign page shows about signatures: the form, count, progress, chart.

Registered as a template global so that the campaigns domain's page includes our partial
without its view knowing about signatures. Everything here is the same for every visitor.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask.sansio.app import App
from flask_babel import get_locale

from organizer.campaigns.models import Campaign
from organizer.signatures import counting, milestones, pledges, signing
from organizer.signatures.chart import Chart, per_day_chart
from organizer.signatures.countries import country_label
from organizer.signatures.forms import SignForm
from organizer.signatures.models import Pledge, PledgeStatus
from organizer.signatures.settings import settings_for

TOP_COUNTRIES = 10


@dataclass(frozen=True)
class Panel:
    campaign: Campaign
    totals: counting.Totals
    form: SignForm
    is_open: bool
    countries: list[tuple[str, int]]
    chart: Chart | None
    milestones: list[milestones.Mark]
    pledges: list[Pledge]


def signature_panel(campaign: Campaign, form: SignForm | None = None) -> Panel:
    settings = settings_for(campaign)
    totals = counting.totals(campaign.id, campaign.signature_goal)
    return Panel(
        campaign=campaign,
        totals=totals,
        form=(form or SignForm(postal_code=settings.postal_code)).for_group(campaign.group.name),
        is_open=signing.is_open(campaign),
        countries=counting.by_country(campaign.id)[:TOP_COUNTRIES],
        chart=per_day_chart(counting.by_day(campaign.id)),
        milestones=milestones.marks(campaign, totals.total),
        pledges=[p for p in pledges.pledges_of(campaign) if p.status == PledgeStatus.OPEN],
    )


@dataclass(frozen=True)
class RevisionCounts:
    current: int  # signed the revision on the page
    earlier: int  # signed an earlier revision of the text


def revision_counts(campaign: Campaign, revision_id: int) -> RevisionCounts:
    counts = counting.by_revision(campaign.id)
    current = counts.get(revision_id, 0)
    return RevisionCounts(current, sum(counts.values()) - current)


def country_name_here(code: str) -> str:
    return country_label(code, str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])[:2])


def init_template_helpers(app: App) -> None:
    app.add_template_global(signature_panel)
    app.add_template_global(country_name_here)
    app.add_template_global(revision_counts)
