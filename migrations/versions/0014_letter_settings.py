"""letter settings: signatory, organization, return addresses

One row per campaign: who signs its letters, for which organization, and the postal and
email addresses a body answers to. Sending is refused until all four are set.

A response now waits for the organizer's choice, made after a preview, before signers
are emailed. Responses recorded before this migration were emailed at once: they are
marked decided, with the number emailed unknown (NULL).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "letter_settings",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("signatory", sa.String(length=200), nullable=False),
        sa.Column("organization", sa.String(length=300), nullable=False),
        sa.Column("postal_address", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_letter_settings_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_letter_settings_updated_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_letter_settings")),
    )
    with op.batch_alter_table("letter_response") as batch:
        batch.add_column(sa.Column("signers_notified", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("notify_decided_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE letter_response SET notify_decided_at = created_at")


def downgrade():
    with op.batch_alter_table("letter_response") as batch:
        batch.drop_column("notify_decided_at")
        batch.drop_column("signers_notified")
    op.drop_table("letter_settings")
