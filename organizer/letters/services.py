"""Letters: the routing plan of a campaign, drafts written from it, edits, documents.

Services add and flush; the request or the task commits once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import select, text, update
from sqlalchemy.exc import OperationalError

from organizer.accounts.models import User
from organizer.campaigns import revisions
from organizer.campaigns.models import Campaign, Revision
from organizer.db import after_commit, utcnow
from organizer.extensions import db
from organizer.letters import audit, composer, directory, documents, sources
from organizer.letters.models import (
    DocumentsStatus,
    Letter,
    LetterStatus,
    LetterTrigger,
    MilestoneTrigger,
    Regulator,
)
from organizer.letters.routing import Body, LetterPlan, Plan, RoutedDemand, route

GENERATE_TASK = "letters.generate_documents"
log = logging.getLogger(__name__)


class LetterError(ValueError):
    """A request the rules refuse; the message is for the person."""


@dataclass(frozen=True)
class RoutingPreview:
    campaign: Campaign
    revision: Revision
    plan: Plan
    bodies: dict[str, Regulator]
    total: int  # online signers everywhere, plus paper batches
    # Letters already written on this revision, by body slug: routing writes no second one.
    existing: dict[str, Letter] = field(default_factory=dict)

    @property
    def routed(self) -> list[tuple[LetterPlan, Regulator]]:
        return [(letter, self.bodies[letter.body]) for letter in self.plan.letters]

    @property
    def to_write(self) -> list[tuple[LetterPlan, Regulator]]:
        return [(plan, body) for plan, body in self.routed if body.slug not in self.existing]

    @property
    def demand_texts(self) -> dict[str, str]:
        return {demand.uid: demand.text for demand in revisions.demands_of(self.revision)}

    @property
    def by_demand(self) -> list[tuple[revisions.DemandView, list[Regulator]]]:
        """Each demand of the text with the bodies it goes to, for checking the routing."""
        return [
            (demand, [body for plan, body in self.routed if demand.uid in plan.demands])
            for demand in revisions.demands_of(self.revision)
        ]

    @property
    def not_routed(self) -> list[Regulator]:
        chosen = {letter.body for letter in self.plan.letters}
        return sorted(
            (b for slug, b in self.bodies.items() if slug not in chosen), key=lambda b: b.name
        )


def as_body(regulator: Regulator) -> Body:
    return Body(regulator.slug, frozenset(regulator.topics), frozenset(regulator.jurisdictions))


def routed_demands(revision: Revision) -> list[RoutedDemand]:
    return [
        RoutedDemand(d.uid, d.label, frozenset(d.topics), frozenset(d.jurisdictions))
        for d in revisions.demands_of(revision)
    ]


def preview(
    campaign: Campaign, drop: Iterable[str] = (), add: Iterable[str] = ()
) -> RoutingPreview:
    """The routing plan for the published text and today's confirmed signatures."""
    revision = revisions.published_revision(campaign)
    if revision is None:
        raise LetterError(_("Publish the campaign's text before writing to any body."))
    bodies = {regulator.slug: regulator for regulator in directory.all_bodies()}
    counts = sources.confirmed_counts_by_country(campaign)
    plan = route(
        routed_demands(revision),
        counts,
        [as_body(regulator) for regulator in bodies.values()],
        drop=[slug for slug in drop if slug in bodies],
        add=[slug for slug in add if slug in bodies],
    )
    # Paper with countries is in the plan's counts already; the rest only adds to the total.
    total = plan.total_signers + sources.unrouted_paper_total(campaign)
    return RoutingPreview(campaign, revision, plan, bodies, total, first_letters(revision))


def first_letters(revision: Revision) -> dict[str, Letter]:
    """The first letter each body got on this revision, whatever its status."""
    found = db.session.scalars(
        select(Letter)
        .where(Letter.revision_id == revision.id, Letter.follow_up_of_id.is_(None))
        .order_by(Letter.id.desc())
    )
    return {letter.regulator.slug: letter for letter in found}


def write_letters(
    routing: RoutingPreview,
    author: User | None,
    milestone: MilestoneTrigger | None = None,
) -> list[Letter]:
    """One draft per planned body that has no letter on this revision yet."""
    # A milestone and an organizer writing at once wait for each other on the campaign row,
    # so that the second sees the first's letters and writes none of its own twice.
    db.session.execute(
        select(Campaign.id).where(Campaign.id == routing.campaign.id).with_for_update()
    )
    existing = first_letters(routing.revision)
    letters = [
        _new_letter(routing, plan, regulator, author, milestone)
        for plan, regulator in routing.to_write
        if regulator.slug not in existing
    ]
    db.session.flush()
    for letter in letters:
        audit.log(author, "letter.written", letter, body=letter.regulator.slug)
    return letters


def write_follow_up(letter: Letter, author: User) -> Letter:
    """A new draft to the same body, on today's text and counts, that names the first."""
    if not is_sent(letter):
        raise LetterError(_("This letter has not been sent: edit it rather than follow it up."))
    routing = preview(letter.campaign, add=[letter.regulator.slug])
    plan = routing.plan.for_body(letter.regulator.slug)
    if plan is None:
        raise LetterError(_("None of the demands falls in this body's remit any more."))
    follow_up = _new_letter(routing, plan, letter.regulator, author, None)
    follow_up.follow_up_of = letter
    with force_locale(follow_up.language):
        follow_up.subject = _("Follow-up: %(subject)s", subject=follow_up.subject)[:300]
        first_on = format_date(letter.sent_at or letter.created_at, "long")
        follow_up.body = (
            _("This letter follows up on our letter of %(date)s.", date=first_on)
            + "\n\n"
            + follow_up.body
        )
    db.session.flush()
    audit.log(author, "letter.followed_up", follow_up, body=letter.regulator.slug,
              follow_up_of=letter.id)  # fmt: skip
    return follow_up


def _new_letter(
    routing: RoutingPreview,
    plan: LetterPlan,
    regulator: Regulator,
    author: User | None,
    milestone: MilestoneTrigger | None,
) -> Letter:
    by_revision = sources.counts_by_revision(
        routing.campaign, [country for country, _n in plan.counts_by_country]
    )
    draft = composer.compose(
        routing.campaign, routing.revision, regulator, plan, routing.total, by_revision
    )
    letter = Letter(
        campaign=routing.campaign,
        regulator=regulator,
        revision=routing.revision,
        language=draft.language,
        subject=draft.subject,
        body=draft.body,
        demand_uids=list(plan.demands),
        demand_labels=list(plan.labels),
        counts_by_country=dict(plan.counts_by_country),
        counts_by_revision=by_revision,
        signers_in_jurisdiction=plan.signers,
        signers_total=routing.total,
        trigger=LetterTrigger.MILESTONE if milestone else LetterTrigger.MANUAL,
        milestone_id=milestone.id if milestone else None,
        created_by_id=author.id if author else None,
    )
    db.session.add(letter)
    return letter


def letters_of(campaign: Campaign) -> list[Letter]:
    return list(
        db.session.scalars(
            select(Letter).where(Letter.campaign_id == campaign.id).order_by(Letter.id.desc())
        )
    )


def get_letter(campaign: Campaign, letter_id: int) -> Letter | None:
    letter = db.session.get(Letter, letter_id)
    return letter if letter is not None and letter.campaign_id == campaign.id else None


def edit(letter: Letter, author: User, subject: str, body: str) -> None:
    if not letter.is_editable:
        raise LetterError(_("This letter has been sent; its text can no longer change."))
    subject, body = " ".join(subject.split()), body.replace("\r\n", "\n").strip() + "\n"
    if (subject, body) == (letter.subject, letter.body):
        return
    letter.subject, letter.body = subject, body
    documents.discard(letter)
    audit.log(author, "letter.edited", letter)


def delete_draft(letter: Letter, author: User) -> None:
    if not letter.is_editable:
        raise LetterError(_("A letter that has been sent stays on the record."))
    audit.log(author, "letter.deleted", letter, body=letter.regulator.slug)
    db.session.delete(letter)
    db.session.flush()


def request_documents(letter: Letter) -> None:
    """Queue the documents' generation; the worker reports its progress on the letter."""
    if letter.documents_status in (DocumentsStatus.PENDING, DocumentsStatus.RUNNING):
        return
    letter.documents_status = DocumentsStatus.PENDING
    letter.documents_progress = 0
    letter.documents_error = ""
    db.session.flush()
    enqueue_generation([letter.id])


def enqueue_generation(letter_ids: list[int]) -> None:
    celery = current_app.extensions["celery"]

    def enqueue() -> None:
        for letter_id in letter_ids:
            celery.send_task(GENERATE_TASK, args=[letter_id], retry=False)

    after_commit(db.session, enqueue)


def claim_generation(letter_id: int) -> bool:
    """Compare-and-set pending → running: one worker builds a letter's documents at a time."""
    result = db.session.execute(
        update(Letter)
        .where(Letter.id == letter_id, Letter.documents_status == DocumentsStatus.PENDING)
        .values(documents_status=DocumentsStatus.RUNNING, documents_progress=1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def report_progress(letter_id: int, percent: int) -> None:
    """Written on its own connection and committed at once, so organizers see it live.

    Best effort: a report that would wait for a lock is skipped, never waited for.
    """
    try:
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SET LOCAL lock_timeout = '1s'"))
            connection.execute(
                update(Letter)
                .where(Letter.id == letter_id, Letter.documents_status == DocumentsStatus.RUNNING)
                .values(documents_progress=max(1, min(99, percent)))
            )
    except OperationalError:
        log.warning("progress of letter %s not recorded", letter_id, exc_info=True)


def generation_failed(letter_id: int, error: str) -> None:
    letter = db.session.get(Letter, letter_id)
    if letter is not None:
        letter.documents_status = DocumentsStatus.FAILED
        letter.documents_error = error[:2000]


def is_sent(letter: Letter) -> bool:
    return letter.status in (LetterStatus.SENT, LetterStatus.RESPONDED)


def requeue_stale_generations() -> int:
    """Builds the broker lost (still pending) or a dead worker left (running, silent)."""
    now = utcnow()
    pending_before = now - timedelta(seconds=current_app.config["LETTERS_REQUEUE_AFTER_SECONDS"])
    stale_before = now - timedelta(seconds=current_app.config["LETTERS_STALE_BUILD_SECONDS"])
    db.session.execute(
        update(Letter)
        .where(Letter.documents_status == DocumentsStatus.RUNNING, Letter.updated_at < stale_before)
        .values(documents_status=DocumentsStatus.PENDING, updated_at=pending_before)
        .execution_options(synchronize_session=False)
    )
    ids = list(
        db.session.scalars(
            select(Letter.id).where(
                Letter.documents_status == DocumentsStatus.PENDING,
                Letter.updated_at <= pending_before,
            )
        )
    )
    if ids:
        enqueue_generation(ids)
    return len(ids)
