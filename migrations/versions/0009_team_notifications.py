"""organizer notification preferences, invitations bound to an address

Invitations needed no new column: the address was already stored, and accepting now checks
it. Preferences are one row per person and kind; no row means the email is on.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

KINDS = ("pledge", "milestone", "screening", "letter_response")


def upgrade():
    op.create_table(
        "notification_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="notification_kind"), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notification_preference_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_notification_preference")),
    )


def downgrade():
    op.drop_table("notification_preference")
    sa.Enum(name="notification_kind").drop(op.get_bind(), checkfirst=True)
