"""merge the signatures, events and letters branches

Revision ID: 0006
Revises: 0003, 0004, 0005
Create Date: 2026-11-22

The three domains were built side by side on top of campaigns (0002); this joins them so
that `flask db upgrade` has one head again.
"""

revision = "0006"
down_revision = ("0003", "0004", "0005")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
