"""consents: one row per (signature, purpose) replaces the consent booleans

The two pairs of columns on ``signature`` (show_name/show_name_text and
receive_updates/receive_updates_text) become rows of ``signature_consent``: one for each
true boolean, with its text version and the signature's created_at as given-at. Nobody has
consented yet to be named to the authorities, so no such row is made. The confirmation
link's hash is now kept once used (``token_used_at``), so a second click is recognized.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The boolean, its text-version column, and the purpose it becomes.
MIGRATED = [
    ("show_name", "show_name_text", "public_list"),
    ("receive_updates", "receive_updates_text", "updates"),
]


def _signature(*names):
    columns = [sa.column("id"), sa.column("created_at")]
    return sa.table("signature", *columns, *(sa.column(n) for n in names))


def _consent():
    return sa.table(
        "signature_consent",
        sa.column("signature_id"),
        sa.column("purpose"),
        sa.column("text_version"),
        sa.column("given_at"),
        sa.column("withdrawn_at"),
    )


def upgrade():
    op.create_table(
        "signature_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signature_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("text_version", sa.String(length=32), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["signature.id"],
            name=op.f("fk_signature_consent_signature_id_signature"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signature_consent")),
        sa.UniqueConstraint(
            "signature_id", "purpose", name=op.f("uq_signature_consent_signature_id_purpose")
        ),
    )
    consent = _consent()
    columns = ["signature_id", "purpose", "text_version", "given_at"]
    selects = [
        sa.select(
            signature.c.id,
            sa.literal(purpose, sa.String),
            signature.c[text],
            signature.c.created_at,
        ).where(signature.c[flag] == sa.true())
        for flag, text, purpose in MIGRATED
        for signature in [_signature(flag, text)]
    ]
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # SQLite drops columns by copying the table and dropping the old one, and that DROP
        # deletes the new rows through their ON DELETE CASCADE: read them out first.
        rows = [dict(zip(columns, row, strict=True)) for q in selects for row in bind.execute(q)]
    else:
        for query in selects:
            op.execute(consent.insert().from_select(columns, query))
    with op.batch_alter_table("signature", schema=None) as batch_op:
        for flag, text, _purpose in MIGRATED:
            batch_op.drop_column(flag)
            batch_op.drop_column(text)
        batch_op.add_column(sa.Column("token_used_at", sa.DateTime(timezone=True), nullable=True))
    if bind.dialect.name == "sqlite" and rows:
        op.bulk_insert(consent, rows)


def downgrade():
    # Columns are added in place; anything that makes SQLite copy the table (and cascade
    # the consent rows away) waits until the booleans are filled in.
    with op.batch_alter_table("signature", schema=None) as batch_op:
        for flag, text, _purpose in MIGRATED:
            batch_op.add_column(sa.Column(flag, sa.Boolean(), nullable=True))
            batch_op.add_column(sa.Column(text, sa.String(length=32), nullable=True))
    consent = _consent()
    for flag, text, purpose in MIGRATED:
        signature = _signature(flag, text)
        standing = sa.select(consent.c.text_version).where(
            consent.c.signature_id == signature.c.id,
            consent.c.purpose == purpose,
            consent.c.withdrawn_at.is_(None),
        )
        any_row = sa.select(consent.c.text_version).where(
            consent.c.signature_id == signature.c.id, consent.c.purpose == purpose
        )
        op.execute(
            signature.update().values(
                {
                    flag: sa.exists(standing),
                    # A version is required; "unknown" where no row ever recorded one.
                    text: sa.func.coalesce(any_row.scalar_subquery(), "unknown"),
                }
            )
        )
    with op.batch_alter_table("signature", schema=None) as batch_op:
        batch_op.drop_column("token_used_at")
        for flag, text, _purpose in MIGRATED:
            batch_op.alter_column(flag, existing_type=sa.Boolean(), nullable=False)
            batch_op.alter_column(text, existing_type=sa.String(length=32), nullable=False)
    op.drop_table("signature_consent")
