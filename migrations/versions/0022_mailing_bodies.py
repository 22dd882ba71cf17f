"""A mailing's body stored once per language: outbox rows point to it and carry their values

``outbound_body`` holds the bodies that many outbox rows share (a mailing's, with slots);
``outbound_email.body_id`` and ``merge_values`` say which one a row's message is built from
and what goes in its slots. Existing rows keep their own bodies.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01
"""

import html
import json
import re

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbound_body",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_outbound_body"),
        sa.UniqueConstraint("key", name="uq_outbound_body_key"),
    )
    with op.batch_alter_table("outbound_email") as batch_op:
        batch_op.add_column(sa.Column("body_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("merge_values", sa.JSON(), nullable=True))
        batch_op.create_foreign_key(
            "fk_outbound_email_body_id_outbound_body", "outbound_body", ["body_id"], ["id"]
        )


def downgrade() -> None:
    _unshare_bodies()
    with op.batch_alter_table("outbound_email") as batch_op:
        batch_op.drop_constraint("fk_outbound_email_body_id_outbound_body", type_="foreignkey")
        batch_op.drop_column("merge_values")
        batch_op.drop_column("body_id")
    op.drop_table("outbound_body")


_SLOT = re.compile(r"zCahierMerge(\d)x")


def _unshare_bodies() -> None:
    """Before the columns go, each row that points to a shared body gets its own copy,
    filled as organizer/mail/bodies.py fills it (HTML-escaped values in the HTML part)."""
    bind = op.get_bind()
    bodies = {
        row.id: (row.text_body, row.html_body)
        for row in bind.execute(sa.text("SELECT id, text_body, html_body FROM outbound_body"))
    }
    rows = bind.execute(
        sa.text("SELECT id, body_id, merge_values FROM outbound_email WHERE body_id IS NOT NULL")
    ).all()
    for row in rows:
        values = row.merge_values
        values = json.loads(values) if isinstance(values, str) else values or []
        text, markup = bodies[row.body_id]
        bind.execute(
            sa.text("UPDATE outbound_email SET text_body = :t, html_body = :h WHERE id = :id"),
            {"t": _fill(text, values, False), "h": _fill(markup, values, True), "id": row.id},
        )


def _fill(body: str, values: list[str], escape: bool) -> str:
    def value(match: re.Match[str]) -> str:
        index = int(match[1])
        found = values[index] if index < len(values) else ""
        return html.escape(found, quote=True) if escape else found

    return _SLOT.sub(value, body)
