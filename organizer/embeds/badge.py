"""The SVG progress badge (/c/<slug>/badge.svg): the count and the goal, as PledgeBank's.

An image, so a page that allows no frames and no scripts still shows the live number.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template

from organizer.campaigns.models import Campaign
from organizer.signatures.counting import Totals

WIDTH = 320
HEIGHT = 72
BAR_WIDTH = WIDTH - 24
TITLE_CHARS = 42


@dataclass(frozen=True)
class Badge:
    title: str
    totals: Totals
    bar: int  # the filled part of the bar, in SVG units


def short_title(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"


def render(campaign: Campaign, totals: Totals) -> str:
    badge = Badge(short_title(campaign.title), totals, BAR_WIDTH * totals.percent // 100)
    return render_template(
        "embeds/badge.svg", badge=badge, width=WIDTH, height=HEIGHT, bar_width=BAR_WIDTH
    )
