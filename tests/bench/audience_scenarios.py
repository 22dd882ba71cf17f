"""The audience count over a million supporters of one group (issue 15: p95 <= 200 ms).

The rows are written with COPY in a realistic mix: most supporters in a few countries,
languages following the country, a fifth unsubscribed, a few bouncing, complained or erased,
a few thousand suppressed addresses, a campaign's signers, a tag and a mailing already sent,
and other tags and earlier mailings beside them.
Each filter is counted 20 times through organizer.supporters.audience.count, as the
mailing's audience page does.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from flask import Flask

from tests.bench.machine import Steal
from tests.bench.seed import plain_url

SUPPORTERS = 1_000_000
RUNS = 20
TARGET_MS = 200

# (country, language, weight): a European group's list.
_PLACES = (
    ("FR", "fr", 30), ("DE", "de", 15), ("GB", "en", 10), ("BE", "fr", 6), ("ES", "es", 8),
    ("IT", "it", 8), ("NL", "nl", 5), ("PL", "pl", 4), ("US", "en", 6), ("CA", "fr", 2),
    ("CH", "de", 2), ("SE", "sv", 2), (None, "en", 2),
)  # fmt: skip
_STATUSES = (("subscribed", 74), ("unsubscribed", 20), ("bouncing", 4), ("complained", 2))


def _weighted(rng: random.Random, pairs: tuple[tuple[Any, ...], ...], n: int) -> list[Any]:
    return rng.choices(pairs, weights=[p[-1] for p in pairs], k=n)


def bench_campaign(app: Flask, owner_email: str) -> dict[str, Any]:
    """A group of its own with one campaign and its revision, so that the million
    supporters never join another scenario's audience."""
    from sqlalchemy import select

    from organizer.accounts.models import User
    from organizer.campaigns.models import Campaign, CampaignStatus, Revision
    from organizer.db import utcnow
    from organizer.extensions import db
    from organizer.groups.services import create_group

    with app.app_context():
        owner = db.session.scalars(select(User).where(User.email == owner_email)).one()
        group = create_group(owner, "Audience bench")
        campaign = Campaign(
            slug="audience-bench", title="Audience bench", language="en",
            created_by_id=owner.id, group_id=group.id, status=CampaignStatus.PUBLISHED,
            first_published_at=utcnow(),
        )  # fmt: skip
        db.session.add(campaign)
        db.session.flush()
        revision = Revision(campaign_id=campaign.id, number=1, snapshot={},
                            content_hash="0" * 64, published_at=utcnow())  # fmt: skip
        db.session.add(revision)
        db.session.commit()
        return {"id": campaign.id, "revision_id": revision.id, "group_id": group.id}


def _supporters(conn: psycopg.Connection[Any], group_id: int, count: int) -> None:
    rng = random.Random(15)
    now = datetime.now(UTC)
    places = _weighted(rng, _PLACES, count)
    statuses = _weighted(rng, _STATUSES, count)
    columns = ("group_id, public_id, canonical_email, email, name, country, postal_code, "
               "language, status, soft_bounces, created_at, updated_at, last_action_at, "
               "erased_at")  # fmt: skip
    with conn.cursor().copy(f"COPY supporter ({columns}) FROM STDIN") as copy:
        for n in range(count):
            country, language, _ = places[n]
            # Three years of sign-ups, the newest the densest.
            joined = now - timedelta(days=1095 * rng.random() ** 2)
            erased = n % 100 == 0
            email = None if erased else f"aud-{n}@example.org"
            copy.write_row((
                group_id, str(uuid.UUID(int=rng.getrandbits(128))), email, email,
                "" if erased else f"Supporter {n}", country, f"{n % 100000:05d}", language,
                "unsubscribed" if erased else statuses[n][0], 0, joined, joined, joined,
                joined if erased else None,
            ))  # fmt: skip


def _actions(
    conn: psycopg.Connection[Any], group_id: int, campaign: dict[str, Any]
) -> dict[str, int]:
    """A fifth signed the campaign, a tenth carry a tag, a third received a mailing; a few
    thousand addresses are suppressed."""
    now = datetime.now(UTC)
    first = conn.execute(
        "SELECT min(id) FROM supporter WHERE group_id = %s AND email LIKE 'aud-%%'", (group_id,)
    ).fetchone()
    assert first is not None
    conn.execute(
        "INSERT INTO signature (campaign_id, revision_id, name, email, canonical_email,"
        " email_domain, country, postal_code, locale, status, suspect, confirmation_sends,"
        " created_at, updated_at, confirmed_at, confirmed_day, supporter_id, public_id)"
        " SELECT %s, %s, name, email, canonical_email, 'example.org',"
        " coalesce(country, 'FR'), postal_code, language, 'confirmed', false, 1,"
        " created_at, created_at, created_at,"
        " created_at::date, id, gen_random_uuid()::text FROM supporter"
        " WHERE group_id = %s AND email IS NOT NULL AND id %% 5 = 0",
        (campaign["id"], campaign["revision_id"], group_id),
    )  # fmt: skip
    tag = conn.execute(
        "INSERT INTO supporter_tag (group_id, name, created_at, updated_at, public_id)"
        " VALUES (%s, 'volunteer', %s, %s, gen_random_uuid()::text)"
        " RETURNING id", (group_id, now, now),
    ).fetchone()  # fmt: skip
    conn.execute(
        "INSERT INTO supporter_tagging (supporter_id, tag_id, created_at, public_id)"
        " SELECT id, %s, %s, gen_random_uuid()::text FROM supporter"
        " WHERE group_id = %s AND id %% 10 = 3",
        (tag[0], now, group_id),
    )  # fmt: skip
    mailing = conn.execute(
        "INSERT INTO mailing (group_id, from_name, audience, status, expanded_through_id,"
        " recipient_count, archive_public, archive_id, created_at, updated_at, public_id)"
        " VALUES (%s, 'Bench', '{}', 'sent', 0, 0, false, %s, %s, %s, gen_random_uuid()::text)"
        " RETURNING id",
        (group_id, uuid.uuid4().hex, now, now),
    ).fetchone()  # fmt: skip
    conn.execute(
        "INSERT INTO mailing_recipient (mailing_id, supporter_id, status, created_at,"
        " updated_at) SELECT %s, id, 'sent', %s, %s FROM supporter"
        " WHERE group_id = %s AND status = 'subscribed' AND id %% 3 = 0",
        (mailing[0], now, now, group_id),
    )  # fmt: skip
    conn.execute(
        "INSERT INTO mail_suppression (email, group_id, reason, created_at)"
        " SELECT email, CASE WHEN id %% 2 = 0 THEN NULL ELSE group_id END, 'hard_bounce', %s"
        " FROM supporter WHERE group_id = %s AND status = 'subscribed' AND id %% 200 = 7",
        (now, group_id),
    )  # fmt: skip
    # What organizer.mail.suppression keeps on the supporter row.
    conn.execute(
        "UPDATE supporter SET suppressed = true WHERE group_id = %s AND EXISTS (SELECT 1"
        " FROM mail_suppression m WHERE m.email = lower(supporter.email)"
        " AND (m.group_id IS NULL OR m.group_id = supporter.group_id))",
        (group_id,),
    )  # fmt: skip
    assert tag is not None and mailing is not None
    _history(conn, group_id, now)
    return {"tag_id": tag[0], "mailing_id": mailing[0]}


def _history(conn: psycopg.Connection[Any], group_id: int, now: datetime) -> None:
    """Other tags and earlier mailings, as a list this large has: a filter on one of them
    must read that one's rows, not every tag's or every mailing's."""
    for n, share in enumerate((20, 25)):
        conn.execute(
            "WITH tag AS (INSERT INTO supporter_tag (group_id, name, created_at, updated_at,"
            " public_id) VALUES (%s, %s, %s, %s, gen_random_uuid()::text) RETURNING id)"
            " INSERT INTO supporter_tagging (supporter_id, tag_id, created_at, public_id)"
            " SELECT supporter.id, tag.id, %s, gen_random_uuid()::text FROM supporter, tag"
            " WHERE group_id = %s AND supporter.id %% %s = 1",
            (group_id, f"earlier-{n}", now, now, now, group_id, share),
        )  # fmt: skip
    for share in (4, 5):
        conn.execute(
            "WITH m AS (INSERT INTO mailing (group_id, from_name, audience, status,"
            " expanded_through_id, recipient_count, archive_public, archive_id, created_at,"
            " updated_at, public_id) VALUES (%s, 'Earlier', '{}', 'sent', 0, 0, false, %s, %s,"
            " %s, gen_random_uuid()::text) RETURNING id)"
            " INSERT INTO mailing_recipient (mailing_id, supporter_id, status, created_at,"
            " updated_at) SELECT m.id, supporter.id, 'sent', %s, %s FROM supporter, m"
            " WHERE group_id = %s AND status = 'subscribed' AND supporter.id %% %s = 2",
            (group_id, uuid.uuid4().hex, now, now, now, now, group_id, share),
        )  # fmt: skip


def seed(database_url: str, campaign: dict[str, Any], count: int = SUPPORTERS) -> dict[str, Any]:
    started = time.monotonic()
    with psycopg.connect(plain_url(database_url)) as conn:
        group_id = campaign["group_id"]
        _supporters(conn, group_id, count)
        ids = _actions(conn, group_id, campaign)
        conn.commit()
    # As autovacuum would have done long before a list grows this large: the visibility map
    # lets the count read the indexes alone.
    with psycopg.connect(plain_url(database_url), autocommit=True) as conn:
        for table in ("supporter", "signature", "supporter_tagging", "mailing_recipient",
                      "mail_suppression"):  # fmt: skip
            conn.execute(f"VACUUM ANALYZE {table}")
    return {"group_id": group_id, **ids, "seed_seconds": round(time.monotonic() - started, 1)}


def filters(campaign_id: int, tag_id: int, mailing_id: int) -> dict[str, Any]:
    from organizer.supporters.audience import Audience, Condition

    return {
        "base_only": Audience(),
        "country_and_language": Audience(
            includes=(Condition("country", "FR"), Condition("language", "fr"))
        ),
        "campaign_signers_minus_tag": Audience(
            includes=(Condition("campaign", str(campaign_id)),),
            excludes=(Condition("tag", str(tag_id)),),
        ),
        "received_mailing_excluded": Audience(
            excludes=(Condition("mailing_received", str(mailing_id)),)
        ),
    }


def measure(app: Flask, group_id: int, audiences: dict[str, Any]) -> dict[str, Any]:
    from organizer.extensions import db
    from organizer.supporters.audience import count

    figures: dict[str, Any] = {}
    with app.app_context():
        for name, audience in audiences.items():
            count(group_id, audience)  # the first run warms the cache, as a real page has
            timings, result, steal = [], 0, Steal()
            for _ in range(RUNS):
                start = time.perf_counter()
                result = count(group_id, audience)
                timings.append((time.perf_counter() - start) * 1000)
                db.session.rollback()
            p95 = statistics.quantiles(timings, n=20, method="inclusive")[18]
            figures[name] = {
                "count": result,
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(p95, 1),
                "max_ms": round(max(timings), 1),
                "cpu_steal_pct": steal.percent(),
            }
    return figures


def audience(ctx: Any, supporters: int = SUPPORTERS) -> dict[str, Any]:
    campaign = bench_campaign(ctx.app, ctx.campaign["owner_email"])
    seeded = seed(ctx.stack.database_url, campaign, supporters)
    audiences = filters(campaign["id"], seeded["tag_id"], seeded["mailing_id"])
    counts = measure(ctx.app, seeded["group_id"], audiences)
    worst = max(f["p95_ms"] for f in counts.values())
    return {
        "supporters": supporters,
        "runs_per_filter": RUNS,
        "seed_seconds": seeded["seed_seconds"],
        "filters": counts,
        "worst_p95_ms": worst,
        "within_target": worst <= TARGET_MS,
    }
