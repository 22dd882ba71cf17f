"""editor and verification: /verify looks revisions up by (a prefix of) their sha256

Only an index: no snapshot or hash is touched, so every published hash stays what signers,
letters and readers were shown (tests/campaigns/test_canonical.py recomputes them).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("grievance_revision") as batch:
        batch.create_index("ix_grievance_revision_content_hash", ["content_hash"])


def downgrade():
    with op.batch_alter_table("grievance_revision") as batch:
        batch.drop_index("ix_grievance_revision_content_hash")
