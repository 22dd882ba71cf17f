"""The suppression list's answer kept on the supporter row, out of the audience indexes

``supporter.suppressed`` is true when the address is on the suppression list for the
supporter's group or for every group; organizer.mail.suppression keeps it so from now on,
and this fills it for the rows of before. The two audience indexes leave suppressed rows
out, so that the audience count no longer probes the list once per supporter; the one in id
order loses its included columns (docs/performance.md, the audience count).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

BEFORE = "status = 'subscribed' AND erased_at IS NULL"
AFTER = "status = 'subscribed' AND erased_at IS NULL AND NOT suppressed"

BACKFILL = """
UPDATE supporter SET suppressed = true
WHERE email IS NOT NULL AND EXISTS (
    SELECT 1 FROM mail_suppression
    WHERE mail_suppression.email = lower(supporter.email)
      AND (mail_suppression.group_id IS NULL OR mail_suppression.group_id = supporter.group_id)
)
"""


def _audience_indexes(predicate, include):
    where = sa.text(predicate)
    op.create_index(
        "ix_supporter_mailable", "supporter",
        ["group_id", "country", "language", "created_at", "id"],
        postgresql_where=where, sqlite_where=where,
    )  # fmt: skip
    op.create_index(
        "ix_supporter_mailable_id", "supporter", ["group_id", "id"],
        postgresql_include=include, postgresql_where=where, sqlite_where=where,
    )  # fmt: skip


def _drop_audience_indexes():
    op.drop_index("ix_supporter_mailable_id", table_name="supporter")
    op.drop_index("ix_supporter_mailable", table_name="supporter")


def upgrade():
    # A constant default: PostgreSQL adds the column without rewriting the table, and
    # SQLite's ALTER TABLE takes it as it is.
    op.add_column(
        "supporter",
        sa.Column("suppressed", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute(BACKFILL)
    _drop_audience_indexes()
    # The id-ordered one without its included columns: a narrower scan for the joins.
    _audience_indexes(AFTER, include=[])


def downgrade():
    _drop_audience_indexes()
    if _sqlite():
        # Batch mode reflects the table and cannot reflect this expression index (0020).
        op.drop_index("ix_supporter_group_email_lower", table_name="supporter")
        with op.batch_alter_table("supporter") as batch_op:
            batch_op.drop_column("suppressed")
        op.create_index(
            "ix_supporter_group_email_lower", "supporter", ["group_id", sa.text("lower(email)")]
        )
    else:
        op.drop_column("supporter", "suppressed")
    _audience_indexes(BEFORE, include=["country", "language", "created_at"])


def _sqlite():
    return op.get_bind().dialect.name == "sqlite"
