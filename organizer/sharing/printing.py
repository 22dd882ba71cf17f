"""The printed flyer and the paper sign-up sheet, as A4 PDFs (WeasyPrint).

They render as the letters do (organizer.letters.documents): with a URL fetcher that
refuses every URL, so a campaign's text can make the renderer load nothing. The QR code
is inline SVG and the fonts are the system's DejaVu.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from flask import render_template
from flask_babel import force_locale

from organizer.campaigns.models import Campaign
from organizer.letters.documents import refusing_fetcher
from organizer.sharing import qr, services

FLYER_QR_MM = 62
SHEET_QR_MM = 30
SHEET_ROWS = 12
TALLY_ROWS = 2  # three pairs of columns each: six countries


def _css(name: str) -> Any:
    from weasyprint import CSS

    text = resources.files("organizer.sharing").joinpath("data", name).read_text("utf-8")
    return CSS(string=text, url_fetcher=refusing_fetcher())


def render_pdf(html: str, stylesheet: str) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, url_fetcher=refusing_fetcher()).write_pdf(
        stylesheets=[_css(stylesheet)]
    )
    return pdf


def _common(campaign: Campaign, language: str, code: str, qr_mm: int) -> dict[str, Any]:
    url = services.street_url(campaign, code)
    return {
        "campaign": campaign,
        "language": language,
        "qr_svg": qr.svg_inline(url, qr_mm),
        "qr_url": url,
        "printed_url": services.printed_url(campaign),
        "printed_on": services.printed_at(language),
        "count": services.total_signatures(campaign),
    }


def flyer(campaign: Campaign, language: str) -> bytes:
    demands, more = services.top_demands(campaign)
    with force_locale(language):
        html = render_template(
            "sharing/pdf/flyer.html", demands=demands, more=more,
            **_common(campaign, language, "flyer", FLYER_QR_MM),
        )  # fmt: skip
    return render_pdf(html, "flyer.css")


def sign_up_sheet(campaign: Campaign, language: str) -> bytes:
    with force_locale(language):
        html = render_template(
            "sharing/pdf/sheet.html", rows=range(1, SHEET_ROWS + 1),
            tally=range(TALLY_ROWS), **_common(campaign, language, "qr", SHEET_QR_MM),
        )  # fmt: skip
    return render_pdf(html, "sheet.css")
