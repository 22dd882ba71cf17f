"""paper batches by country, moderation batches that can be undone

Paper batches gain parts by country; each existing batch becomes one part in "ZZ" (country
unknown), so it still counts toward the goal but is routed to no jurisdiction. Revisions
that change signed text get a notice job; letters record their counts per revision.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    _paper_batches_upgrade()
    _moderation_upgrade()


def downgrade():
    _moderation_downgrade()
    _paper_batches_downgrade()


# Paper batches and revisions (h5): a batch's parts by country, existing batches becoming
# one part "ZZ" (country unknown: counted, never routed); the job that tells earlier signers
# what a new revision changed; and the letter's counts per revision.


def _paper_batches_upgrade():
    op.create_table(
        "offline_signature_batch_country",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["offline_signature_batch.id"],
            name=op.f("fk_offline_signature_batch_country_batch_id_offline_signature_batch"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "batch_id", "country", name=op.f("pk_offline_signature_batch_country")
        ),
    )
    op.execute(
        "INSERT INTO offline_signature_batch_country (batch_id, country, count) "
        "SELECT id, 'ZZ', count FROM offline_signature_batch"
    )
    # The country counters now hold paper too, as the nightly reconcile will expect.
    op.execute(
        "INSERT INTO signature_country_count (campaign_id, country, confirmed) "
        "SELECT campaign_id, 'ZZ', SUM(count) FROM offline_signature_batch GROUP BY campaign_id"
    )
    op.create_table(
        "signature_revision_notice_job",
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("last_signature_id", sa.Integer(), nullable=False),
        sa.Column("queued", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_signature_revision_notice_job_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["grievance_revision.id"],
            name=op.f("fk_signature_revision_notice_job_revision_id_grievance_revision"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("revision_id", name=op.f("pk_signature_revision_notice_job")),
    )
    with op.batch_alter_table("signature_revision_notice_job") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signature_revision_notice_job_campaign_id"), ["campaign_id"]
        )
    with op.batch_alter_table("letter") as batch_op:
        batch_op.add_column(sa.Column("counts_by_revision", sa.JSON(), nullable=True))
    op.execute("UPDATE letter SET counts_by_revision = '[]'")
    with op.batch_alter_table("letter") as batch_op:
        batch_op.alter_column("counts_by_revision", existing_type=sa.JSON(), nullable=False)


def _paper_batches_downgrade():
    with op.batch_alter_table("letter") as batch_op:
        batch_op.drop_column("counts_by_revision")
    op.drop_table("signature_revision_notice_job")
    op.execute("DELETE FROM signature_country_count WHERE country = 'ZZ'")
    op.drop_table("offline_signature_batch_country")


# Moderation (h6): each applied bulk invalidation is a batch that lists what it struck out,
# so that undo gives back exactly those; the audit log learns which campaign an entry is for.


def _moderation_upgrade():
    op.create_table(
        "signature_moderation_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("invalidated", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.Column("restored", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_signature_moderation_batch_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_signature_moderation_batch_actor_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["signature_moderation_job.id"],
            name=op.f("fk_signature_moderation_batch_job_id_signature_moderation_job"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["undone_by_id"],
            ["user_account.id"],
            name=op.f("fk_signature_moderation_batch_undone_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signature_moderation_batch")),
    )
    with op.batch_alter_table("signature_moderation_batch") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signature_moderation_batch_campaign_id"), ["campaign_id"]
        )
        batch_op.create_index(batch_op.f("ix_signature_moderation_batch_job_id"), ["job_id"])
    op.create_table(
        "signature_moderation_batch_item",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("signature_id", sa.Integer(), nullable=False),
        sa.Column("previous_status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["signature_moderation_batch.id"],
            name=op.f("fk_signature_moderation_batch_item_batch_id_signature_moderation_batch"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["signature.id"],
            name=op.f("fk_signature_moderation_batch_item_signature_id_signature"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "batch_id", "signature_id", name=op.f("pk_signature_moderation_batch_item")
        ),
    )
    with op.batch_alter_table("signature_moderation_batch_item") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signature_moderation_batch_item_signature_id"), ["signature_id"]
        )
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.add_column(sa.Column("campaign_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_log_campaign_id"), ["campaign_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_log_campaign_id_campaign"),
            "campaign",
            ["campaign_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # Entries written before: campaign objects directly, letters through their campaign.
    op.execute(
        "UPDATE audit_log SET campaign_id = object_id WHERE object_type = 'campaign' "
        "AND object_id IN (SELECT id FROM campaign)"
    )
    op.execute(
        "UPDATE audit_log SET campaign_id = "
        "(SELECT letter.campaign_id FROM letter WHERE letter.id = audit_log.object_id) "
        "WHERE object_type = 'letter'"
    )


def _moderation_downgrade():
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_audit_log_campaign_id_campaign"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_audit_log_campaign_id"))
        batch_op.drop_column("campaign_id")
    op.drop_table("signature_moderation_batch_item")
    op.drop_table("signature_moderation_batch")
