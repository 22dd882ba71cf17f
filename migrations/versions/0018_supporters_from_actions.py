"""supporters from existing confirmed actions

Confirmed, unsuspected signatures (withdrawn, invalidated and suspect ones are left out),
their confirmed commitments, and RSVPs their guests confirmed themselves (never the ones a
host added) become supporters of their campaign's group (one per canonical email), with
the consent history their updates consent carries: given, and withdrawn when the signer
chose "stop updates". Set-based SQL, so that a large table migrates in seconds.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# The rules of organizer/signatures/canonical.py as they stood, frozen for this migration.
DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}
DROP_DOTS = frozenset({"gmail.com"})
DROP_TAGS = frozenset(
    {"gmail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "icloud.com", "me.com",
     "mac.com", "fastmail.com", "fastmail.fm", "proton.me", "protonmail.com", "pm.me"}
)  # fmt: skip
RSVP_BATCH = 1000


def _canonical(address):
    local, _, domain = address.strip().rpartition("@")
    domain = DOMAIN_ALIASES.get(domain.lower().rstrip("."), domain.lower().rstrip("."))
    local = local.lower()
    if domain in DROP_TAGS:
        local = local.split("+", 1)[0]
    if domain in DROP_DOTS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def _dialect_bits(bind):
    """The new rows' UUID and status, which each database spells its own way."""
    if bind.dialect.name == "postgresql":
        return "CAST(gen_random_uuid() AS VARCHAR(36))", "CAST('{}' AS supporter_status)"
    bind.connection.driver_connection.create_function(
        "gen_random_uuid", 0, lambda: str(uuid.uuid4())
    )
    return "gen_random_uuid()", "'{}'"


COUNTED = "s.status = 'confirmed' AND s.suspect = :no"


def upgrade():
    bind = op.get_bind()
    new_uuid, status = _dialect_bits(bind)
    flags = {"yes": True, "no": False}
    bind.execute(sa.text(f"""
        INSERT INTO supporter (group_id, public_id, canonical_email, email, name, country,
                               postal_code, language, status, soft_bounces, created_at,
                               updated_at, last_action_at)
        SELECT g.group_id, {new_uuid}, g.canonical_email, s.email, s.name, s.country,
               s.postal_code, s.locale, {status.format("unsubscribed")}, 0, g.first_at,
               g.last_at, g.last_at
        FROM (SELECT c.group_id AS group_id, s.canonical_email AS canonical_email,
                     MIN(s.confirmed_at) AS first_at, MAX(s.confirmed_at) AS last_at,
                     MAX(s.id) AS latest_id
              FROM signature s JOIN campaign c ON c.id = s.campaign_id
              WHERE {COUNTED}
              GROUP BY c.group_id, s.canonical_email) g
        JOIN signature s ON s.id = g.latest_id
    """), flags)  # fmt: skip
    bind.execute(sa.text(f"""
        UPDATE signature SET supporter_id = (
            SELECT x.id FROM supporter x JOIN campaign c ON c.group_id = x.group_id
            WHERE c.id = signature.campaign_id
              AND x.canonical_email = signature.canonical_email)
        WHERE id IN (SELECT s.id FROM signature s WHERE {COUNTED})
    """), flags)  # fmt: skip
    bind.execute(sa.text("""
        UPDATE pledge_commitment SET supporter_id = (
            SELECT s.supporter_id FROM signature s WHERE s.id = pledge_commitment.signature_id)
        WHERE status = 'confirmed'
    """))  # fmt: skip
    _consents(bind, flags, status)
    _rsvps(bind, new_uuid, status)


def _consents(bind, flags, status):
    """The updates consent each migrated signature carries, then its withdrawal if any."""
    for granted, source, at, where in (
        (":yes", "signature", "sc.given_at", "1 = 1"),
        (":no", "manage", "sc.withdrawn_at", "sc.withdrawn_at IS NOT NULL"),
    ):
        bind.execute(sa.text(f"""
            INSERT INTO supporter_consent_event (supporter_id, purpose, granted, source_type,
                                                 source_id, text_version, at)
            SELECT s.supporter_id, 'updates', {granted}, '{source}', s.id, sc.text_version, {at}
            FROM signature s
            JOIN signature_consent sc ON sc.signature_id = s.id AND sc.purpose = 'updates'
            WHERE s.supporter_id IS NOT NULL AND {where}
        """), flags)  # fmt: skip
    bind.execute(sa.text(f"""
        UPDATE supporter SET status = {status.format("subscribed")}
        WHERE id IN (
            SELECT s.supporter_id FROM signature s
            JOIN signature_consent sc ON sc.signature_id = s.id AND sc.purpose = 'updates'
            WHERE s.supporter_id IS NOT NULL AND sc.withdrawn_at IS NULL)
    """))  # fmt: skip


def _rsvps(bind, new_uuid, status):
    """Canonical emails are computed here, so RSVPs go in batches rather than in one
    statement; an RSVP carries no updates consent, so it leaves a status as it is."""
    rows = bind.execute(sa.text("""
        SELECT r.id, r.email FROM event_rsvp r
        WHERE r.confirmed_at IS NOT NULL AND r.added_by_host = :no AND r.status <> 'pending'
        ORDER BY r.id
    """), {"no": False}).all()  # fmt: skip
    group_of = """
        FROM event_rsvp r JOIN screening_event e ON e.id = r.event_id
        JOIN campaign c ON c.id = e.campaign_id WHERE r.id = :rsvp"""
    insert = sa.text(f"""
        INSERT INTO supporter (group_id, public_id, canonical_email, email, name, language,
                               status, soft_bounces, created_at, updated_at, last_action_at)
        SELECT c.group_id, {new_uuid}, CAST(:canonical AS VARCHAR(320)), r.email, r.name, r.locale,
               {status.format("unsubscribed")}, 0, r.confirmed_at, r.confirmed_at,
               r.confirmed_at {group_of}
          AND NOT EXISTS (SELECT 1 FROM supporter x
                          WHERE x.group_id = c.group_id
                            AND x.canonical_email = CAST(:canonical AS VARCHAR(320)))
    """)  # fmt: skip
    link = sa.text(f"""
        UPDATE event_rsvp SET supporter_id = (
            SELECT x.id FROM supporter x WHERE x.canonical_email = :canonical
              AND x.group_id = (SELECT c.group_id {group_of}))
        WHERE id = :rsvp
    """)  # fmt: skip
    later = sa.text("""
        UPDATE supporter SET last_action_at = (
            SELECT r.confirmed_at FROM event_rsvp r WHERE r.id = :rsvp)
        WHERE id = (SELECT r.supporter_id FROM event_rsvp r WHERE r.id = :rsvp)
          AND last_action_at < (SELECT r.confirmed_at FROM event_rsvp r WHERE r.id = :rsvp)
    """)  # fmt: skip
    for start in range(0, len(rows), RSVP_BATCH):
        params = [
            {"rsvp": rsvp_id, "canonical": _canonical(email)}
            for rsvp_id, email in rows[start : start + RSVP_BATCH]
        ]
        for statement in (insert, link):
            bind.execute(statement, params)
        bind.execute(later, [{"rsvp": p["rsvp"]} for p in params])


def downgrade():
    for table in ("signature", "pledge_commitment", "event_rsvp"):
        op.execute(f"UPDATE {table} SET supporter_id = NULL")
    op.execute("DELETE FROM supporter_consent_event")
    op.execute("DELETE FROM supporter")
