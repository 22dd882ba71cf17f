"""Abuse signals on the sign path: IP HMACs, rate limits, the honeypot, trending reports.

Past the per-IP limit a connection is asked to solve a proof-of-work challenge (many honest
people share one address). Past the hard per-IP limit, the domain limit, or with a failed
challenge, a signature is still accepted on screen and stored as suspect: bots are not told
they were caught, and nothing suspect is counted or mailed until a moderator clears it.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from flask import current_app
from limits import RateLimitItem, parse_many
from limits.storage import RedisStorage
from limits.strategies import FixedWindowRateLimiter
from publicsuffixlist import PublicSuffixList
from redis.exceptions import NoScriptError
from sqlalchemy import func, select, update

from organizer.client_ip import ip_hmac as ip_hmac  # where the sign path takes it
from organizer.db import utcnow
from organizer.extensions import db, limiter
from organizer.signatures import challenge
from organizer.signatures.models import Signature
from organizer.signatures.tallies import AbuseReport

log = logging.getLogger(__name__)

HONEYPOT = "honeypot"
IP_LIMIT = "ip-limit"
DOMAIN_LIMIT = "domain-limit"
CHALLENGE_FAILED = "challenge-failed"
# Not a suspect reason: nothing is stored, the visitor is shown a challenge to solve.
CHALLENGE = "challenge"
TOP = 10


Check = tuple[str, tuple[str, ...]]  # (limits in Flask-Limiter notation, identifiers)


@lru_cache(maxsize=32)
def _parsed(limits: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(limits))


def _within(checks: list[Check]) -> list[bool]:
    """Hit every limit of every check (a burst also counts toward the sustained window);
    for each check, whether all its limits still held."""
    hits = [(index, item, ids) for index, (limits, ids) in enumerate(checks)
            for item in _parsed(limits)]  # fmt: skip
    try:
        counted = _hit_in_one_round_trip(hits)
        if counted is None:
            strategy = limiter.limiter
            counted = [strategy.hit(item, *ids) for _index, item, ids in hits]
    except Exception:
        # A Redis outage must not stop people signing; the hourly report still sees floods.
        log.warning("sign rate limit unavailable", exc_info=True)
        return [True] * len(checks)
    held = [True] * len(checks)
    for (index, _item, _ids), ok in zip(hits, counted, strict=True):
        held[index] = held[index] and ok
    return held


def _hit_in_one_round_trip(
    hits: list[tuple[int, RateLimitItem, tuple[str, ...]]],
) -> list[bool] | None:
    """The fixed-window hits of limits' own Redis script, pipelined: one round trip on the
    hot path instead of one per limit. None when the limiter is set up otherwise, or Redis
    lost the script (after a restart): the caller then goes through the limiter itself."""
    strategy = limiter.limiter
    storage = strategy.storage
    if not (isinstance(strategy, FixedWindowRateLimiter) and isinstance(storage, RedisStorage)):
        return None
    # limits types its client and script loosely; they are redis-py's at run time.
    pipe = cast(Any, storage.get_connection()).pipeline(transaction=False)
    sha = cast(Any, storage.lua_incr_expire).sha
    for _index, item, ids in hits:
        key = storage.prefixed_key(item.key_for(*ids))
        pipe.evalsha(sha, 1, key, item.get_expiry(), 1)
    try:
        counts = pipe.execute()
    except NoScriptError:
        return None
    return [int(count) <= item.amount for count, (_i, item, _ids) in zip(counts, hits, strict=True)]


@lru_cache(maxsize=1)
def _suffixes() -> PublicSuffixList:
    # The list the package ships; nothing is fetched at run time.
    return PublicSuffixList()


def registrable_domain(domain: str) -> str:
    """The part of ``domain`` one owner registers (sub1.example.org → example.org), so that
    subdomains share one limit. A public suffix or an address literal stays as it is."""
    domain = domain.strip().lower().rstrip(".")
    if not domain or domain.startswith("["):
        return domain
    return _suffixes().privatesuffix(domain) or domain


def suspect_reason(
    campaign_id: int, ip_key: str | None, domain: str, honeypot: str, solution: str = ""
) -> str | None:
    """Why this signature looks automated, CHALLENGE when it must first solve one, or None.
    Counts the attempt toward the limits; a solved challenge lifts the per-IP soft limit."""
    if honeypot:
        return HONEYPOT
    config = current_app.config
    scope = str(campaign_id)
    checks: list[Check] = []
    if ip_key:
        checks.append((config["SIGN_HARD_LIMIT_PER_IP"], ("sign-ip-hard", scope, ip_key)))
        if not solution:
            checks.append((config["SIGN_LIMIT_PER_IP"], ("sign-ip", scope, ip_key)))
    domain = registrable_domain(domain)
    if domain not in config["SIGN_LIMIT_EXEMPT_DOMAINS"]:
        checks.append((config["SIGN_LIMIT_PER_DOMAIN"], ("sign-domain", scope, domain)))
    held = dict(zip((ids[0] for _limits, ids in checks), _within(checks), strict=True))
    if not held.get("sign-ip-hard", True):
        return IP_LIMIT
    if not held.get("sign-ip", True):
        return CHALLENGE
    if solution and not challenge.verify(solution, campaign_id, ip_key):
        return CHALLENGE_FAILED
    if not held.get("sign-domain", True):
        return DOMAIN_LIMIT
    return None


def purge_ip_hmacs(now: datetime | None = None) -> int:
    """Forget the IP HMACs older than the retention period (DESIGN.md decision 5)."""
    days = current_app.config["SIGNATURE_IP_RETENTION_DAYS"]
    before = (now or utcnow()) - timedelta(days=days)
    result = db.session.execute(
        update(Signature)
        .where(Signature.ip_hmac.is_not(None), Signature.created_at < before)
        .values(ip_hmac=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def hour_start(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def build_reports(now: datetime | None = None) -> list[AbuseReport]:
    """One report per campaign signed in the last full hour; a second run adds nothing."""
    end = hour_start(now or utcnow())
    start = end - timedelta(hours=1)
    campaign_ids = db.session.scalars(
        select(Signature.campaign_id)
        .where(Signature.created_at >= start, Signature.created_at < end)
        .distinct()
    ).all()
    done = set(
        db.session.scalars(select(AbuseReport.campaign_id).where(AbuseReport.period_start == start))
    )
    reports = [
        _report(campaign_id, start, end) for campaign_id in campaign_ids if campaign_id not in done
    ]
    db.session.add_all(reports)
    db.session.flush()
    return reports


def _report(campaign_id: int, start: datetime, end: datetime) -> AbuseReport:
    window = (
        Signature.campaign_id == campaign_id,
        Signature.created_at >= start,
        Signature.created_at < end,
    )
    ips: Counter[str] = Counter()
    domains: Counter[str] = Counter()
    total = suspects = 0
    rows = db.session.execute(
        select(Signature.ip_hmac, Signature.email_domain, Signature.suspect, func.count())
        .where(*window)
        .group_by(Signature.ip_hmac, Signature.email_domain, Signature.suspect)
    )
    for ip_key, domain, suspect, count in rows:
        total += count
        suspects += count if suspect else 0
        if ip_key:
            ips[ip_key] += count
        domains[domain] += count
    return AbuseReport(
        campaign_id=campaign_id,
        period_start=start,
        period_end=end,
        signatures=total,
        suspects=suspects,
        top_ips=[list(p) for p in ips.most_common(TOP)],
        top_domains=[list(p) for p in domains.most_common(TOP)],
    )


def latest_reports(campaign_id: int, limit: int = 24) -> list[AbuseReport]:
    return list(
        db.session.scalars(
            select(AbuseReport)
            .where(AbuseReport.campaign_id == campaign_id)
            .order_by(AbuseReport.period_start.desc())
            .limit(limit)
        )
    )
