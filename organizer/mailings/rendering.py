"""A mailing rendered once per language, then filled in per recipient (see merge.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from flask_babel import force_locale, format_date
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import select

from organizer.campaigns.markdown import render_markdown
from organizer.campaigns.models import Campaign
from organizer.extensions import db
from organizer.groups.models import Group
from organizer.mail.rendering import render_email
from organizer.mailings import merge
from organizer.mailings.models import Mailing, MailingContent
from organizer.urls import external_url

TEMPLATE = "mailing"

# "Why you receive this": the action that gave the consent, and its date.
WHY = {
    "signature": _l(
        "You receive this because you signed a petition of %(group)s on %(date)s "
        "and agreed to hear from them."
    ),
    "commitment": _l(
        "You receive this because you committed to a pledge of %(group)s on "
        "%(date)s and agreed to hear from them."
    ),
    "rsvp": _l(
        "You receive this because you replied to a screening of %(group)s on %(date)s "
        "and agreed to hear from them."
    ),
    "import": _l(
        "You receive this because you agreed to hear from %(group)s on %(date)s, "
        "on a list that they brought to Cahier."
    ),
}
WHY_OTHER = _l("You receive this because you agreed to hear from %(group)s on %(date)s.")


@dataclass(frozen=True)
class Rendered:
    """One language of a mailing, with sentinels where each recipient's values go."""

    language: str
    subject: str
    text: str
    html: str
    fallback: str
    why: dict[str, str]  # source type → sentence with a %(date)s left in it

    def why_for(self, source_type: str | None) -> str:
        return self.why.get(source_type or "", self.why[""])

    @cached_property
    def parts(self) -> tuple[merge.Parts, merge.Parts, merge.Parts]:
        return merge.split(self.subject), merge.split(self.text), merge.split(self.html)


def campaign_slugs(group_id: int) -> frozenset[str]:
    return frozenset(db.session.scalars(select(Campaign.slug).where(Campaign.group_id == group_id)))


def _campaign_url(slug: str) -> str:
    return external_url("campaigns.page", slug=slug) if slug else ""


def render(
    mailing: Mailing, group: Group, content: MailingContent, *, test: bool = False
) -> Rendered:
    subject, _unused = merge.with_sentinels(content.subject, _campaign_url)
    body, fallback = merge.with_sentinels(content.body_markdown, _campaign_url)
    parts = render_email(
        TEMPLATE,
        content.language,
        test=test,
        subject=subject,
        body_text=body,
        body_html=render_markdown(body),
        group_name=group.name,
        postal_address=group.postal_address,
        why=merge.SENTINELS["why"],
        unsubscribe_url=merge.SENTINELS["unsubscribe_url"],
        manage_url=merge.SENTINELS["manage_url"],
    )
    with force_locale(content.language):
        why = {kind: str(text).replace("%(group)s", group.name) for kind, text in WHY.items()}
        why[""] = str(WHY_OTHER).replace("%(group)s", group.name)
    return Rendered(content.language, parts.subject, parts.text, parts.html, fallback, why)


def render_all(mailing: Mailing, group: Group) -> dict[str, Rendered]:
    return {c.language: render(mailing, group, c) for c in mailing.contents}


class DateNames:
    """Babel's long dates, cached: a list of 50,000 has only so many distinct days."""

    def __init__(self) -> None:
        self._cache: dict[tuple[date, str], str] = {}

    def __call__(self, day: date, language: str) -> str:
        key = (day, language)
        found = self._cache.get(key)
        if found is None:
            with force_locale(language):
                found = self._cache[key] = format_date(day, "long")
        return found


def fill(rendered: Rendered, values: dict[str, str]) -> tuple[str, str, str]:
    """Subject, text and HTML for one recipient; ``values`` are plain text."""
    escaped = {name: str(escape(value)) for name, value in values.items()}
    subject, text, html = rendered.parts
    return merge.join(subject, values), merge.join(text, values), merge.join(html, escaped)
