"""Composing a mailing, its test send, its report and its public archive. Nothing commits."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import func, select

from organizer.accounts.models import User
from organizer.campaigns.markdown import render_markdown
from organizer.extensions import db
from organizer.groups.models import Group
from organizer.mail.mime import FROM_NAME
from organizer.mail.services import queue_email
from organizer.mailings import merge
from organizer.mailings.filters import language_name
from organizer.mailings.models import (
    Mailing,
    MailingContent,
    MailingRecipient,
    MailingStatus,
    RecipientStatus,
)
from organizer.mailings.rendering import DateNames, fill, render
from organizer.supporters import audience as audiences
from organizer.supporters.models import Supporter
from organizer.urls import external_url

EDITABLE = (MailingStatus.DRAFT,)


def create(group: Group, user: User, language: str) -> Mailing:
    mailing = Mailing(
        group_id=group.id,
        created_by_id=user.id,
        from_name=group.name,
        audience={},
        contents=[MailingContent(language=language)],
    )
    db.session.add(mailing)
    db.session.flush()
    return mailing


def mailings_of(group: Group) -> list[Mailing]:
    return list(
        db.session.scalars(
            select(Mailing).where(Mailing.group_id == group.id).order_by(Mailing.id.desc())
        )
    )


def get(group: Group, mailing_id: int) -> Mailing | None:
    mailing = db.session.get(Mailing, mailing_id)
    return mailing if mailing is not None and mailing.group_id == group.id else None


def content_for(mailing: Mailing, language: str) -> MailingContent | None:
    return next((c for c in mailing.contents if c.language == language), None)


def add_language(mailing: Mailing, language: str) -> bool:
    if content_for(mailing, language) is not None:
        return False
    mailing.contents.append(MailingContent(language=language))
    db.session.flush()
    return True


def remove_language(mailing: Mailing, language: str) -> bool:
    """The last language stays: a mailing needs at least one version."""
    content = content_for(mailing, language)
    if content is None or len(mailing.contents) == 1:
        return False
    mailing.contents.remove(content)
    db.session.flush()
    return True


def audience_of(mailing: Mailing) -> audiences.Audience:
    return audiences.Audience.from_dict(mailing.audience)


def audience_count(mailing: Mailing) -> int:
    return audiences.count(mailing.group_id, audience_of(mailing))


def audience_languages(mailing: Mailing) -> dict[str, int]:
    """How many of the audience speak each language, so that no one gets a stranger's."""
    where = audiences.where_clause(mailing.group_id, audience_of(mailing))
    rows = db.session.execute(
        select(Supporter.language, func.count()).where(where).group_by(Supporter.language)
    ).all()
    return {language: number for language, number in rows}


def missing(mailing: Mailing, group: Group) -> list[str]:
    """What stops the mailing from being sent, as sentences for the organizer."""
    problems = [
        _(
            "The version in %(language)s needs a subject and a message.",
            language=language_name(c.language),
        )
        for c in mailing.contents
        if not c.subject.strip() or not c.body_markdown.strip()
    ]
    if not group.postal_address.strip():
        problems.append(
            _(
                "The group has no postal address yet: every mailing must show one. "
                "Set it in the group's settings."
            )
        )
    return problems


@dataclass(frozen=True)
class Preview:
    language: str
    subject: str
    text: str
    html: str


def _sample_values(group: Group, user: User, language: str, why: str) -> dict[str, str]:
    dates = DateNames()
    public = external_url("groups.public", slug=group.slug)
    return {
        "first_name": merge.first_name(user.display_name, ""),
        "manage_url": public,
        "unsubscribe_url": public,
        "why": why.replace("%(date)s", dates(user.created_at.date(), language)),
    }


def preview(
    mailing: Mailing, group: Group, user: User, language: str, *, test: bool = False
) -> Preview:
    content = content_for(mailing, language) or mailing.contents[0]
    rendered = render(mailing, group, content, test=test)
    values = _sample_values(group, user, rendered.language, rendered.why_for("signature"))
    values["first_name"] = values["first_name"] or rendered.fallback
    subject, text, html = fill(rendered, values)
    return Preview(rendered.language, subject, text, html)


def send_test(mailing: Mailing, group: Group, user: User, language: str) -> None:
    """To the organizer's own address, through the outbox, marked as a test."""
    shown = preview(mailing, group, user, language, test=True)
    queue_email(
        to=user.email,
        template="mailing_test",
        locale=shown.language,
        kind="mailing_test",
        context={"subject": shown.subject, "text": shown.text, "html": Markup(shown.html)},  # noqa: S704
        related=("mailing", mailing.id),
        headers={FROM_NAME: mailing.from_name.strip()} if mailing.from_name.strip() else None,
    )


@dataclass(frozen=True)
class Report:
    recipients: int
    sent: int
    failed: int
    cancelled: int
    bounced: int
    complained: int
    unsubscribed: int


def report(mailing: Mailing) -> Report:
    counts = dict(
        db.session.execute(
            select(MailingRecipient.status, func.count())
            .where(MailingRecipient.mailing_id == mailing.id)
            .group_by(MailingRecipient.status)
        ).all()
    )
    unsubscribed = (
        db.session.scalar(
            select(func.count())
            .select_from(MailingRecipient)
            .where(
                MailingRecipient.mailing_id == mailing.id,
                MailingRecipient.unsubscribed_at.is_not(None),
            )
        )
        or 0
    )
    bounced = counts.get(RecipientStatus.BOUNCED, 0)
    complained = counts.get(RecipientStatus.COMPLAINED, 0)
    return Report(
        recipients=sum(counts.values()),
        # A bounce or a complaint comes after the message left: it was sent.
        sent=counts.get(RecipientStatus.SENT, 0) + bounced + complained,
        failed=counts.get(RecipientStatus.FAILED, 0),
        cancelled=counts.get(RecipientStatus.CANCELLED, 0),
        bounced=bounced,
        complained=complained,
        unsubscribed=unsubscribed,
    )


def archived(group: Group, archive_id: str) -> Mailing | None:
    mailing = db.session.scalar(
        select(Mailing).where(Mailing.group_id == group.id, Mailing.archive_id == archive_id)
    )
    visible = (MailingStatus.SENDING, MailingStatus.SENT, MailingStatus.PAUSED)
    if mailing is None or not mailing.archive_public or mailing.status not in visible:
        return None
    return mailing


def archive_version(mailing: Mailing, language: str | None) -> tuple[MailingContent, Markup, str]:
    """The web version: no merge field of anyone in it (first names become the fallback)."""
    wanted = language or str(get_locale() or "")
    content = content_for(mailing, wanted) or min(mailing.contents, key=lambda c: c.id)

    body, fallback = merge.with_sentinels(content.body_markdown, _campaign_url)
    subject, subject_fallback = merge.with_sentinels(content.subject, _campaign_url)
    empty = {"manage_url": "", "unsubscribe_url": "", "why": ""}
    html = merge.substitute(
        str(render_markdown(body)), {**empty, "first_name": str(escape(fallback))}
    )
    title = merge.substitute(subject, {**empty, "first_name": subject_fallback or fallback})
    return content, Markup(html), title  # noqa: S704  (sanitized Markdown, escaped fallback)


def _campaign_url(slug: str) -> str:
    return external_url("campaigns.page", slug=slug) if slug else ""
