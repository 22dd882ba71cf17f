"""What the public campaign page shows about signatures: the form, count, progress, chart.

Registered as a template global so that the campaigns domain's page includes our partial
without its view knowing about signatures. Everything here is the same for every visitor.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, get_template_attribute
from flask.sansio.app import App
from flask_babel import get_locale
from markupsafe import Markup

from organizer.campaigns.models import Campaign
from organizer.partners.lines import partner_lines
from organizer.signatures import counting, milestones, pledges, signing
from organizer.signatures.chart import Chart
from organizer.signatures.countries import country_label
from organizer.signatures.forms import SignForm
from organizer.signatures.memo import app_cache, remember
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
    counters = counting.counters(campaign.id, campaign.signature_goal)
    totals, breakdown = counters.totals, counting.breakdown(campaign.id, counters.stamp)
    return Panel(
        campaign=campaign,
        totals=totals,
        form=(form or SignForm(postal_code=settings.postal_code))
        .for_group(campaign.group.name)
        .with_partners(partner_lines(campaign.id)),
        is_open=signing.is_open(campaign),
        countries=breakdown.countries[:TOP_COUNTRIES],
        chart=breakdown.chart,
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


def chart_svg(chart: Chart | None) -> Markup:
    """The chart macro's SVG, rendered once per breakdown (so once per fold) and locale:
    sixty bars of dates and numbers are the same for every reader until the counters move."""
    if chart is None:
        return Markup("")
    locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    cache = app_cache("cahier_chart_svg")
    hit = cache.get((id(chart), locale))
    # The entry holds its chart, so no other chart can take that id while it is cached.
    if hit is not None and hit[0] is chart:
        return hit[1]
    svg: Markup = get_template_attribute("signatures/_macros.html", "chart")(chart)
    return remember(cache, (id(chart), locale), (chart, svg))[1]


def country_name_here(code: str) -> str:
    return country_label(code, str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])[:2])


def init_template_helpers(app: App) -> None:
    app.add_template_global(signature_panel)
    app.add_template_global(country_name_here)
    app.add_template_global(chart_svg)
    app.add_template_global(revision_counts)
