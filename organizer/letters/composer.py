"""The letter's subject and body, from a template in the body's first language (else English).

Templates live in ``templates/letters/compose/<lang>/{subject,body}.txt``: whole letters
written by people in each language, not sentences stitched from a catalogue. Being in one
language each, they choose singular or plural with ``plural(n)``, the CLDR plural category
of the letter's language ("one" or "other"; French counts 0 and 1 as "one"), and say where
signers are with ``in_places`` (organizer/letters/places.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.numbers import format_decimal
from flask import current_app, render_template
from jinja2 import TemplateNotFound

from organizer.campaigns.models import Campaign, Revision
from organizer.campaigns.revisions import DemandView, demands_of
from organizer.letters.models import Regulator
from organizer.letters.places import country_name, in_places
from organizer.letters.routing import LetterPlan
from organizer.urls import external_url

FALLBACK = "en"
COMPOSE_DIR = "letters/compose"


@dataclass(frozen=True)
class Draft:
    language: str
    subject: str
    body: str


@cache
def _available(template_folder: str) -> frozenset[str]:
    root = Path(template_folder) / COMPOSE_DIR
    return frozenset(p.name for p in root.iterdir() if (p / "body.txt").exists())


def available_languages() -> frozenset[str]:
    return _available(str(current_app.template_folder))


def letter_language(regulator: Regulator) -> str:
    first = regulator.languages[0] if regulator.languages else FALLBACK
    return first if first in available_languages() else FALLBACK


def place_names(codes: list[str], language: str) -> str:
    return ", ".join(country_name(code, language) for code in codes)


def carried_demands(revision: Revision, uids: list[str]) -> list[DemandView]:
    wanted = set(uids)
    return [demand for demand in demands_of(revision) if demand.uid in wanted]


def compose(
    campaign: Campaign,
    revision: Revision,
    regulator: Regulator,
    plan: LetterPlan,
    total: int,
    by_revision: Sequence[Mapping[str, Any]] = (),
) -> Draft:
    language = letter_language(regulator)
    online = sum(entry["signers"] for entry in by_revision)
    plural_form = Locale.parse(language).plural_form
    context = {
        "campaign": campaign,
        "revision": revision,
        "body": regulator,
        "demands": carried_demands(revision, list(plan.demands)),
        "signers": format_decimal(plan.signers, locale=language),
        "total": format_decimal(total, locale=language),
        "places": place_names(list(regulator.jurisdictions), language),
        "in_places": in_places(list(regulator.jurisdictions), language),
        "signers_count": plan.signers,
        "total_count": total,
        "plural": plural_form,
        "by_revision": [
            {**entry, "signers": format_decimal(entry["signers"], locale=language)}
            for entry in by_revision
        ],
        "paper": format_decimal(plan.signers - online, locale=language)
        if plan.signers > online
        else "",
        "campaign_url": external_url("campaigns.page", slug=campaign.slug),
        "verify_url": external_url("letters_public.verify"),
    }
    try:
        subject = render_template(f"{COMPOSE_DIR}/{language}/subject.txt", **context)
        body = render_template(f"{COMPOSE_DIR}/{language}/body.txt", **context)
    except TemplateNotFound:  # a language folder without both files
        language = FALLBACK
        subject = render_template(f"{COMPOSE_DIR}/{FALLBACK}/subject.txt", **context)
        body = render_template(f"{COMPOSE_DIR}/{FALLBACK}/body.txt", **context)
    return Draft(language, " ".join(subject.split())[:300], body.strip() + "\n")
