"""letters routing: section jurisdictions, and follow-up letters

A section may name the places its demands concern; existing sections name none (an empty
list), so their snapshots and every stored hash stay as they were. A letter may follow up
an earlier letter to the same body, instead of a milestone writing it a second time.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("grievance_section") as batch:
        batch.add_column(sa.Column("jurisdictions", sa.JSON(), nullable=True))
    op.execute("UPDATE grievance_section SET jurisdictions = '[]'")
    with op.batch_alter_table("grievance_section") as batch:
        batch.alter_column("jurisdictions", existing_type=sa.JSON(), nullable=False)
    with op.batch_alter_table("letter") as batch:
        batch.add_column(sa.Column("follow_up_of_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_letter_follow_up_of_id_letter", "letter", ["follow_up_of_id"], ["id"],
            ondelete="SET NULL",
        )  # fmt: skip


def downgrade():
    with op.batch_alter_table("letter") as batch:
        batch.drop_constraint("fk_letter_follow_up_of_id_letter", type_="foreignkey")
        batch.drop_column("follow_up_of_id")
    with op.batch_alter_table("grievance_section") as batch:
        batch.drop_column("jurisdictions")
