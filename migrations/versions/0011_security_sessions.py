"""server-side sessions that logout revokes

One row per logged-in browser (organizer.accounts.models.LoginSession). Sessions made
before this migration carry no key and are refused: everyone logs in once more.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_login_session_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_session")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_login_session_key_hash")),
    )
    with op.batch_alter_table("login_session") as batch_op:
        batch_op.create_index(batch_op.f("ix_login_session_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("login_session") as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_session_user_id"))
    op.drop_table("login_session")
