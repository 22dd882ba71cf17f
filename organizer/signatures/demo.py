"""Demo signatures for `flask seed-demo`: a few hundred confirmed signers over several weeks,
so that the count, the chart, the countries and the wall have something to show."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from organizer.campaigns import revisions, services
from organizer.db import utcnow
from organizer.extensions import db
from organizer.signatures import counting
from organizer.signatures.consents import Purpose, consent_rows
from organizer.signatures.models import Signature, SignatureConsent, SignatureStatus

DEMO_DOMAIN = "demo.cahier.invalid"
COUNT = 360
WEEKS = 6
# Roughly where the 2018 strike's supporters were.
COUNTRIES = {"US": 34, "GB": 18, "IN": 14, "FR": 10, "DE": 9, "CA": 9, "IE": 6}
# Real postcodes of public places (town halls, stations), so that annexes show postal areas;
# Ireland's Eircodes are left out, as many signers there leave the field empty.
POSTAL_CODES = {
    "US": ["10007", "94102", "60602", "98104", "02108", "73102"],
    "GB": ["SW1A 2AA", "EH1 1YZ", "M2 5DB", "CF10 3ND", "BT1 5GS", "LS1 1UR"],
    "IN": ["110001", "400001", "560001", "600001"],
    "FR": ["75004", "69001", "13001", "33000", "59000"],
    "DE": ["10117", "20095", "80331", "50667"],
    "CA": ["M5H 2N2", "H2Y 1C6", "V6B 1V2", "K1P 1J1"],
}
FIRST = [
    "Ada",
    "Amara",
    "Aoife",
    "Arjun",
    "Bea",
    "Camille",
    "Chloé",
    "Dev",
    "Emma",
    "Finn",
    "Grace",
    "Hannah",
    "Ishaan",
    "Jonas",
    "Kai",
    "Léa",
    "Liam",
    "Maya",
    "Noah",
    "Olu",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Siobhán",
    "Tom",
    "Uma",
    "Yara",
    "Zoé",
    "Lukas",
]
LAST = ["Okafor", "Murphy", "Sharma", "Martin", "Schmidt", "Tremblay", "Smith", "Dubois",
        "Patel", "Byrne", "Müller", "Roy", "Johnson", "Bernard", "Kelly", "Singh", "Wagner",
        "Brown", "Leroy", "Gagnon"]  # fmt: skip


def seed_signatures(slug: str, count: int = COUNT) -> int:
    """Insert the demo signers once; returns how many were added (0 on a second run)."""
    campaign = services.get_by_slug(slug)
    revision = revisions.published_revision(campaign) if campaign else None
    if campaign is None or revision is None:
        return 0
    already = db.session.scalar(
        select(func.count()).where(
            Signature.campaign_id == campaign.id, Signature.email_domain == DEMO_DOMAIN
        )
    )
    if already:
        return 0
    rng = random.Random(2018)
    now = utcnow()
    rows = []
    consents: list[tuple[datetime, list[str]]] = []
    deltas: dict[counting.Key, int] = defaultdict(int)
    for i in range(count):
        # More signatures in the first days, as after a launch, then a long tail.
        confirmed = now - timedelta(minutes=int(rng.betavariate(1.2, 3) * WEEKS * 7 * 24 * 60))
        country = rng.choices(list(COUNTRIES), weights=list(COUNTRIES.values()))[0]
        email = f"signer{i}@{DEMO_DOMAIN}"
        rows.append({
            "campaign_id": campaign.id, "revision_id": revision.id,
            "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "email": email,
            "canonical_email": email, "email_domain": DEMO_DOMAIN, "country": country,
            "postal_code": rng.choice(POSTAL_CODES[country]) if country in POSTAL_CODES else None,
            "locale": "en", "status": SignatureStatus.CONFIRMED,
            "created_at": confirmed - timedelta(minutes=3),
            "updated_at": confirmed, "confirmed_at": confirmed, "confirmed_day": confirmed.date(),
        })  # fmt: skip
        consents.append((confirmed - timedelta(minutes=3), _demo_consents(rng)))
        deltas[country, confirmed.date()] += 1
    ids = db.session.scalars(
        insert(Signature).returning(Signature.id, sort_by_parameter_order=True), rows
    ).all()
    consent_values = [
        consent
        for signature_id, (signed, purposes) in zip(ids, consents, strict=True)
        for consent in consent_rows(signature_id, purposes, signed)
    ]
    if consent_values:
        db.session.execute(insert(SignatureConsent), consent_values)
    counting.record_changes(campaign.id, deltas)
    db.session.flush()
    while counting.fold():
        pass
    return count


def _demo_consents(rng: random.Random) -> list[str]:
    chances = {Purpose.PUBLIC_LIST: 0.7, Purpose.UPDATES: 0.4, Purpose.NAME_TO_AUTHORITIES: 0.5}
    return [purpose for purpose, chance in chances.items() if rng.random() < chance]
