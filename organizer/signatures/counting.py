"""Signature counts: the journal, the fold that feeds the counters, and the nightly reconcile.

DESIGN.md decision 7. A change of what counts writes a journal row in its own transaction
(:func:`record_changes`); :func:`fold` moves journal rows into the counters every couple of
seconds, claiming them with SKIP LOCKED so that two folds never add the same row twice;
:func:`reconcile` compares the counters with a real COUNT in one snapshot and corrects drift.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    delete,
    func,
    literal,
    select,
    union_all,
    update,
)

from organizer.campaigns.models import Campaign
from organizer.db import utcnow
from organizer.extensions import db
from organizer.signatures.chart import Chart, per_day_chart
from organizer.signatures.memo import app_cache, remember
from organizer.signatures.models import (
    OfflineBatch,
    OfflineBatchCountry,
    Signature,
    SignatureStatus,
)
from organizer.signatures.tallies import CountChange, CountryCount, DailyCount, SignatureTotal
from organizer.signatures.upsert import add_to_counters, ensure_row

log = logging.getLogger(__name__)

FOLD_BATCH = 5000
Key = tuple[str, date]  # (country, UTC day of confirmation)


def record_changes(campaign_id: int, deltas: dict[Key, int]) -> None:
    """Journal what started or stopped counting, in the caller's transaction."""
    db.session.add_all(
        CountChange(campaign_id=campaign_id, country=country, day=day, delta=delta)
        for (country, day), delta in deltas.items()
        if delta
    )


def record_change(signature: Signature, delta: int) -> None:
    day = signature.confirmed_day or utcnow().date()
    record_changes(signature.campaign_id, {(signature.country, day): delta})


def fold(batch: int = FOLD_BATCH) -> dict[int, int]:
    """Add journal rows to the counters and delete them. Returns the delta per campaign."""
    rows = db.session.execute(
        select(
            CountChange.id,
            CountChange.campaign_id,
            CountChange.country,
            CountChange.day,
            CountChange.delta,
        )
        .order_by(CountChange.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        return {}
    totals: dict[int, int] = defaultdict(int)
    countries: dict[tuple[int, str], int] = defaultdict(int)
    days: dict[tuple[int, date], int] = defaultdict(int)
    for _id, campaign_id, country, day, delta in rows:
        totals[campaign_id] += delta
        countries[campaign_id, country] += delta
        days[campaign_id, day] += delta
    _apply(totals, countries, days)
    db.session.execute(
        delete(CountChange)
        .where(CountChange.id.in_([row.id for row in rows]))
        .execution_options(synchronize_session=False)
    )
    return dict(totals)


def _apply(
    totals: dict[int, int],
    countries: dict[tuple[int, str], int],
    days: dict[tuple[int, date], int],
) -> None:
    now = utcnow()
    # Sorted, so that concurrent folds lock counter rows in the same order.
    for campaign_id in sorted(totals):
        ensure_row(SignatureTotal, ["campaign_id"], {"campaign_id": campaign_id})
        db.session.execute(
            update(SignatureTotal)
            .where(SignatureTotal.campaign_id == campaign_id)
            .values(confirmed=SignatureTotal.confirmed + totals[campaign_id], updated_at=now)
            .execution_options(synchronize_session=False)
        )
    add_to_counters(
        CountryCount,
        ["campaign_id", "country"],
        [
            {"campaign_id": c, "country": country, "confirmed": n}
            for (c, country), n in sorted(countries.items())
            if n
        ],
    )
    add_to_counters(
        DailyCount,
        ["campaign_id", "day"],
        [
            {"campaign_id": c, "day": day, "confirmed": n}
            for (c, day), n in sorted(days.items())
            if n
        ],
    )


def _counted(campaign_id: int) -> tuple[ColumnElement[bool], ...]:
    return (
        Signature.campaign_id == campaign_id,
        Signature.status == SignatureStatus.CONFIRMED,
        Signature.suspect.is_(False),
    )


def real_count(campaign_id: int) -> int:
    return int(db.session.scalar(select(func.count()).where(*_counted(campaign_id))) or 0)


def _drift(campaign_id: int, column: str) -> dict[object, int]:
    """real - (counter + unfolded journal), per key, in ONE statement and so one snapshot."""
    real_key = getattr(Signature, "country" if column == "country" else "confirmed_day")
    counter = CountryCount if column == "country" else DailyCount
    counter_key = getattr(counter, column)
    journal_key = getattr(CountChange, column)
    parts = union_all(
        select(real_key.label("k"), func.count().label("n"))
        .where(*_counted(campaign_id))
        .group_by(real_key),
        *([_paper_by_country(campaign_id)] if column == "country" else []),
        select(counter_key.label("k"), (literal(0) - counter.confirmed).label("n")).where(
            counter.campaign_id == campaign_id
        ),
        select(journal_key.label("k"), (literal(0) - func.sum(CountChange.delta)).label("n"))
        .where(CountChange.campaign_id == campaign_id)
        .group_by(journal_key),
    ).subquery()
    drift = db.session.execute(
        select(parts.c.k, func.sum(parts.c.n)).group_by(parts.c.k).having(func.sum(parts.c.n) != 0)
    )
    return {key: int(n) for key, n in drift}


def _paper_by_country(campaign_id: int) -> Select[str, int]:
    """Paper counts by country: part of the country counters, never of the online total."""
    return (
        select(
            OfflineBatchCountry.country.label("k"), func.sum(OfflineBatchCountry.count).label("n")
        )
        .join(OfflineBatch, OfflineBatch.id == OfflineBatchCountry.batch_id)
        .where(OfflineBatch.campaign_id == campaign_id)
        .group_by(OfflineBatchCountry.country)
    )


def _total_drift(campaign_id: int) -> int:
    """real - (online counter + unfolded journal), in one statement."""
    real = select(func.count()).where(*_counted(campaign_id)).scalar_subquery()
    counter = (
        select(SignatureTotal.confirmed)
        .where(SignatureTotal.campaign_id == campaign_id)
        .scalar_subquery()
    )
    journal = (
        select(func.coalesce(func.sum(CountChange.delta), 0))
        .where(CountChange.campaign_id == campaign_id)
        .scalar_subquery()
    )
    return int(db.session.scalar(select(real - func.coalesce(counter, 0) - journal)) or 0)


def _paper_drift(campaign_id: int) -> int:
    real = (
        select(func.coalesce(func.sum(OfflineBatch.count), 0))
        .where(OfflineBatch.campaign_id == campaign_id)
        .scalar_subquery()
    )
    counter = (
        select(SignatureTotal.offline)
        .where(SignatureTotal.campaign_id == campaign_id)
        .scalar_subquery()
    )
    return int(db.session.scalar(select(real - func.coalesce(counter, 0))) or 0)


def reconcile(campaign_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Correct counters from a real COUNT; log and return the drift of each campaign."""
    if campaign_ids is None:
        campaign_ids = db.session.scalars(
            select(Signature.campaign_id).distinct().union(select(SignatureTotal.campaign_id))
        ).all()
    drifts: dict[int, int] = {}
    now = utcnow()
    for campaign_id in sorted(set(campaign_ids)):
        countries = _drift(campaign_id, "country")
        days = _drift(campaign_id, "day")
        # The country counters hold paper signatures too, so the online total is its own.
        total = _total_drift(campaign_id)
        paper = _paper_drift(campaign_id)
        if paper:
            log.warning("paper count drift on campaign %s: %+d", campaign_id, paper)
        if countries or days or total:
            log.warning(
                "signature count drift on campaign %s: %+d (%s)",
                campaign_id,
                total,
                {str(k): v for k, v in countries.items()},
            )
            drifts[campaign_id] = total
        _apply(
            {campaign_id: total},
            {(campaign_id, str(k)): n for k, n in countries.items()},
            {(campaign_id, k): n for k, n in days.items() if isinstance(k, date)},
        )
        db.session.execute(
            update(SignatureTotal)
            .where(SignatureTotal.campaign_id == campaign_id)
            .values(reconciled_at=now, offline=SignatureTotal.offline + paper)
            .execution_options(synchronize_session=False)
        )
    return drifts


@dataclass(frozen=True)
class Totals:
    online: int
    offline: int
    goal: int | None

    @property
    def total(self) -> int:
        return self.online + self.offline

    @property
    def percent(self) -> int:
        return min(100, self.total * 100 // self.goal) if self.goal else 0


def totals(campaign_id: int, goal: int | None) -> Totals:
    # Counter updates bypass the identity map: a row loaded earlier would be stale.
    row = db.session.get(SignatureTotal, campaign_id, populate_existing=True)
    return Totals(row.confirmed if row else 0, row.offline if row else 0, goal)


@dataclass(frozen=True)
class Counters:
    totals: Totals
    # When a fold, a reconcile or a paper batch last moved this campaign's counters: the
    # version of everything derived from them (see breakdown).
    stamp: datetime | None


def counters(campaign_id: int, goal: int | None) -> Counters:
    """The totals and their version, in one small Core query (no ORM object to build)."""
    row = db.session.execute(
        select(SignatureTotal.confirmed, SignatureTotal.offline, SignatureTotal.updated_at).where(
            SignatureTotal.campaign_id == campaign_id
        )
    ).first()
    if row is None:
        return Counters(Totals(0, 0, goal), None)
    return Counters(Totals(int(row.confirmed), int(row.offline), goal), row.updated_at)


@dataclass(frozen=True)
class PublicCounters:
    campaign_id: int
    counters: Counters


# Built once: for count.json, building the statement cost as much as running it.
_PUBLIC_COUNTERS = (
    select(
        Campaign.id,
        Campaign.signature_goal,
        SignatureTotal.confirmed,
        SignatureTotal.offline,
        SignatureTotal.updated_at,
    )
    .outerjoin(SignatureTotal, SignatureTotal.campaign_id == Campaign.id)
    # Campaign.is_public: published at least once.
    .where(Campaign.slug == bindparam("slug"), Campaign.first_published_at.is_not(None))
)


def public_counters(slug: str) -> PublicCounters | None:
    """A public campaign's counters by its slug, in one statement (count.json's only one
    while no fold has moved them); None when no public campaign has that slug."""
    row = db.session.execute(_PUBLIC_COUNTERS, {"slug": slug}).first()
    if row is None:
        return None
    totals = Totals(int(row.confirmed or 0), int(row.offline or 0), row.signature_goal)
    return PublicCounters(row.id, Counters(totals, row.updated_at))


@dataclass(frozen=True)
class Breakdown:
    countries: list[tuple[str, int]]  # most signatures first
    chart: Chart | None


def breakdown(campaign_id: int, stamp: datetime | None) -> Breakdown:
    """Counts by country and the chart of the last days, computed once per version of the
    counters and process: every fold, reconcile and paper batch moves ``stamp``
    (SignatureTotal.updated_at, in the same transaction as the counter rows), so between
    two folds each public page and count.json reuse them instead of querying per view."""
    cache = app_cache("cahier_count_breakdown")
    hit = cache.get(campaign_id)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    found = Breakdown(by_country(campaign_id), per_day_chart(by_day(campaign_id)))
    return remember(cache, campaign_id, (stamp, found))[1]


def by_country(campaign_id: int) -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(CountryCount.country, CountryCount.confirmed)
        .where(CountryCount.campaign_id == campaign_id, CountryCount.confirmed > 0)
        .order_by(CountryCount.confirmed.desc(), CountryCount.country)
    )
    return [(country, int(n)) for country, n in rows]


def by_day(campaign_id: int, limit: int = 120) -> list[tuple[date, int]]:
    rows = db.session.execute(
        select(DailyCount.day, DailyCount.confirmed)
        .where(DailyCount.campaign_id == campaign_id)
        .order_by(DailyCount.day.desc())
        .limit(limit)
    ).all()
    return [(day, int(n)) for day, n in reversed(rows)]


def add_offline(campaign_id: int, countries: dict[str, int]) -> None:
    """Move the paper counters by ``countries`` (country → delta) in the caller's transaction.

    Paper batches are rare and an organizer waits for the page, so they skip the journal:
    milestones checked right after see the new total.
    """
    ensure_row(SignatureTotal, ["campaign_id"], {"campaign_id": campaign_id})
    db.session.execute(
        update(SignatureTotal)
        .where(SignatureTotal.campaign_id == campaign_id)
        .values(offline=SignatureTotal.offline + sum(countries.values()), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    add_to_counters(
        CountryCount,
        ["campaign_id", "country"],
        [
            {"campaign_id": campaign_id, "country": country, "confirmed": n}
            for country, n in sorted(countries.items())
            if n
        ],
    )


def by_revision(campaign_id: int) -> dict[int, int]:
    """Counted online signatures per revision id, for the public page.

    A real grouped COUNT, kept per process for REVISION_COUNTS_CACHE_SECONDS: at most one
    query per campaign and interval, whatever the traffic (DESIGN.md decision 7).
    """
    cache = app_cache("cahier_revision_counts")
    ttl = float(current_app.config.get("REVISION_COUNTS_CACHE_SECONDS", 15.0))
    now = time.monotonic()
    hit = cache.get(campaign_id)
    if hit is not None and now - hit[0] < ttl:
        return dict(hit[1])
    rows = db.session.execute(
        select(Signature.revision_id, func.count())
        .where(*_counted(campaign_id))
        .group_by(Signature.revision_id)
    )
    counts = {int(revision_id): int(n) for revision_id, n in rows}
    return dict(remember(cache, campaign_id, (now, counts))[1])
