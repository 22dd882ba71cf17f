"""The PDF letter and the signature annex (CSV and PDF), each recorded with its sha256.

WeasyPrint renders with a URL fetcher that refuses every URL: a letter never loads anything
from anywhere, whatever its text contains. The annex comes first so that the letter can
cite the annex's hashes.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from babel.dates import format_date
from flask import render_template
from flask_babel import force_locale
from sqlalchemy import delete

from organizer.db import utcnow
from organizer.extensions import db
from organizer.letters import sources
from organizer.letters.composer import carried_demands, place_names
from organizer.letters.models import (
    DocumentKind,
    DocumentsStatus,
    Letter,
    LetterDocument,
    Regulator,
)
from organizer.letters.places import country_name, in_places
from organizer.letters.routing import expand
from organizer.letters.sender import sender_of
from organizer.urls import external_url

Progress = Callable[[int], None]
PDF = "application/pdf"
CSV = "text/csv"


class FetchRefused(ValueError):
    """A document tried to load a resource; documents load nothing."""


@cache
def _fetcher_class() -> type:
    # WeasyPrint is imported on first use: it is slow to load and logs as it does.
    from weasyprint.urls import URLFetcher

    class RefusingFetcher(URLFetcher):
        """Refuses every URL (http, file, data alike): rendering reads nothing from outside."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            raise FetchRefused(f"documents load nothing, not even {url[:80]}")

    return RefusingFetcher


def refusing_fetcher() -> Any:
    return _fetcher_class()()


def render_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML

    css = resources.files("organizer.letters").joinpath("data", "letter.css").read_text("utf-8")
    stylesheet = CSS(string=css, url_fetcher=refusing_fetcher())
    pdf: bytes = HTML(string=html, url_fetcher=refusing_fetcher()).write_pdf(
        stylesheets=[stylesheet]
    )
    return pdf


def _document(
    letter: Letter, kind: DocumentKind, name: str, mime: str, content: bytes
) -> LetterDocument:
    return LetterDocument(
        kind=kind,
        filename=f"{letter.campaign.slug}-{letter.regulator.slug}-{letter.id}-{name}",
        mime_type=mime,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content=content,
    )


def _countries(letter: Letter) -> list[str]:
    return sorted(expand(letter.regulator.jurisdictions))


def _annex_csv(rows: list[sources.AnnexRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["name", "country", "postal_area", "signed_on"])
    for row in rows:
        # A name starting with = + - @ would be a formula in a spreadsheet.
        name = "'" + row.name if row.name[:1] in "=+-@\t\r" else row.name
        signed_on = row.signed_on.isoformat() if row.signed_on else ""
        writer.writerow([name, row.country, row.postal_area, signed_on])
    return buffer.getvalue().encode("utf-8")


def addressee(regulator: Regulator) -> list[str]:
    """The body's name, then its postal address, without the name a second time when the
    recorded address already starts with it (as an address copied from a website does)."""
    lines = [line.strip() for line in regulator.postal_address.splitlines() if line.strip()]
    if lines and lines[0].casefold() == regulator.name.strip().casefold():
        lines = lines[1:]
    return [regulator.name, *lines]


def _annex_table(rows: list[sources.AnnexRow], language: str) -> list[dict[str, str]]:
    return [
        {
            "name": row.name,
            "country": country_name(row.country, language),
            "postal_area": row.postal_area,
            "signed_on": format_date(row.signed_on, "medium", locale=language)
            if row.signed_on
            else "",
        }
        for row in rows
    ]


def _context(letter: Letter) -> dict[str, Any]:
    return {
        "sender": sender_of(letter.campaign),
        "addressee": addressee(letter.regulator),
        "in_places": in_places(list(letter.regulator.jurisdictions), letter.language),
        "letter": letter,
        "campaign": letter.campaign,
        "revision": letter.revision,
        "body": letter.regulator,
        "demands": carried_demands(letter.revision, letter.demand_uids),
        "places": place_names(list(letter.regulator.jurisdictions), letter.language),
        "today": format_date(utcnow().date(), "long", locale=letter.language),
        "campaign_url": external_url("campaigns.page", slug=letter.campaign.slug),
        "verify_url": external_url("letters_public.verify"),
        "paragraphs": [p for p in letter.body.replace("\r\n", "\n").split("\n\n") if p.strip()],
    }


def _collect(letter: Letter, progress: Progress) -> list[sources.AnnexRow]:
    countries = _countries(letter)
    expected = max(1, sources.named_count(letter.campaign, countries))
    rows: list[sources.AnnexRow] = []
    for row in sources.annex_rows(letter.campaign, countries):
        rows.append(row)
        if len(rows) % sources.ANNEX_BATCH == 0:
            progress(5 + 25 * min(len(rows), expected) // expected)
    return rows


def generate(letter: Letter, progress: Progress = lambda percent: None) -> list[LetterDocument]:
    """(Re)build the letter's documents, then swap them in, in the caller's transaction.

    Everything slow happens before the first write, so that the transaction holds no lock
    while rendering and progress reports (on another connection) never wait for it.
    """
    progress(5)
    rows = _collect(letter, progress)
    progress(30)
    annex_csv = _document(letter, DocumentKind.ANNEX_CSV, "annex.csv", CSV, _annex_csv(rows))
    context = _context(letter)
    with force_locale(letter.language):
        annex_html = render_template(
            "letters/pdf/annex.html",
            rows=_annex_table(rows, letter.language),
            has_postal=any(row.postal_area for row in rows),
            **context,
        )
    progress(40)
    annex_pdf = _document(letter, DocumentKind.ANNEX_PDF, "annex.pdf", PDF, render_pdf(annex_html))
    progress(80)
    with force_locale(letter.language):
        letter_html = render_template(
            "letters/pdf/letter.html", named=len(rows), annex=[annex_csv, annex_pdf], **context
        )
    letter_pdf = _document(
        letter, DocumentKind.LETTER_PDF, "letter.pdf", PDF, render_pdf(letter_html)
    )
    progress(95)
    db.session.execute(delete(LetterDocument).where(LetterDocument.letter_id == letter.id))
    db.session.expire(letter, ["documents"])
    letter.documents.extend([letter_pdf, annex_pdf, annex_csv])
    letter.documents_status = DocumentsStatus.READY
    letter.documents_progress = 100
    letter.documents_error = ""
    db.session.flush()
    return list(letter.documents)


def discard(letter: Letter) -> None:
    """The text changed: the documents no longer match it."""
    db.session.execute(delete(LetterDocument).where(LetterDocument.letter_id == letter.id))
    db.session.expire(letter, ["documents"])
    letter.documents_status = DocumentsStatus.NONE
    letter.documents_progress = 0
