"""events: host notices, feed token rotation, guest changes

Adds the host's RSVP notice choice (each RSVP or a daily digest) to screenings; marks guests
added by their host and when the host was told of each RSVP (the digest claims the rest);
and the per-host secret of the calendar feed address, so that it can be rotated.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("screening_event") as batch:
        batch.add_column(
            sa.Column("rsvp_digest", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("event_rsvp") as batch:
        batch.add_column(
            sa.Column("added_by_host", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("host_notified_at", sa.DateTime(timezone=True), nullable=True))
    # Guests who came before notices existed are not announced to their host now.
    op.execute("UPDATE event_rsvp SET host_notified_at = created_at")
    op.create_table(
        "host_feed_key",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=32), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_host_feed_key_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_host_feed_key")),
    )


def downgrade():
    op.drop_table("host_feed_key")
    with op.batch_alter_table("event_rsvp") as batch:
        batch.drop_column("host_notified_at")
        batch.drop_column("added_by_host")
    with op.batch_alter_table("screening_event") as batch:
        batch.drop_column("rsvp_digest")
