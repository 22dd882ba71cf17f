"""Abuse signals on the sign path: IP HMACs, rate limits, the honeypot, trending reports.

Over a limit, a signature is still accepted on screen and stored as suspect: bots are not
told they were caught, and nothing suspect is counted or mailed until a moderator clears it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections import Counter
from datetime import datetime, timedelta

from flask import current_app
from limits import parse_many
from sqlalchemy import func, select, update

from organizer.db import utcnow
from organizer.extensions import db, limiter
from organizer.signatures.models import Signature
from organizer.signatures.tallies import AbuseReport

log = logging.getLogger(__name__)

HONEYPOT = "honeypot"
IP_LIMIT = "ip-limit"
DOMAIN_LIMIT = "domain-limit"
TOP = 10


def ip_hmac(ip: str | None) -> str | None:
    if not ip:
        return None
    key = current_app.config["SIGNATURE_IP_KEY"] or "ip:" + current_app.config["SECRET_KEY"]
    return hmac.new(key.encode(), ip.encode(), hashlib.sha256).hexdigest()


def _over(limits: str, *identifiers: str) -> bool:
    try:
        strategy = limiter.limiter
        # Every limit is hit, so that a burst also counts toward the sustained window.
        results = [strategy.hit(item, *identifiers) for item in parse_many(limits)]
    except Exception:
        # A Redis outage must not stop people signing; the hourly report still sees floods.
        log.warning("sign rate limit unavailable", exc_info=True)
        return False
    return not all(results)


def suspect_reason(campaign_id: int, ip_key: str | None, domain: str, honeypot: str) -> str | None:
    """Why this signature looks automated, or None. Counts the attempt toward the limits."""
    if honeypot:
        return HONEYPOT
    config = current_app.config
    scope = str(campaign_id)
    if ip_key and _over(config["SIGN_LIMIT_PER_IP"], "sign-ip", scope, ip_key):
        return IP_LIMIT
    exempt = domain in config["SIGN_LIMIT_EXEMPT_DOMAINS"]
    if not exempt and _over(config["SIGN_LIMIT_PER_DOMAIN"], "sign-domain", scope, domain):
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
