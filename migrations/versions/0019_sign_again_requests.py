"""sign-again requests: a signature from an address on file waits in a row for its worker

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_again_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("signer", sa.JSON(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"],
            name=op.f("fk_sign_again_request_campaign_id_campaign"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"], ["grievance_revision.id"],
            name=op.f("fk_sign_again_request_revision_id_grievance_revision"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_again_request")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_sign_again_request_requested_at"), "sign_again_request", ["requested_at"]
    )


def downgrade():
    op.drop_table("sign_again_request")
