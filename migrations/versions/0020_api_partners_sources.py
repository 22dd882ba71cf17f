"""API tokens, webhooks, partners and source codes; public UUIDs on what the API shows

Every resource the API (issue 16) shows gets a public UUID, filled for existing rows;
signatures and RSVPs get a ``source`` code; supporters get custom fields; RSVPs and tags
get ``updated_at`` (the API's ``modified_date``).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

PUBLIC_ID_TABLES = (
    "campaign", "screening_event", "signature", "event_rsvp", "supporter_tag",
    "supporter_tagging", "mailing",
)  # fmt: skip
UPDATED_AT_TABLES = ("event_rsvp", "supporter_tag")


def _new_uuid_sql(bind):
    if bind.dialect.name == "postgresql":
        return "CAST(gen_random_uuid() AS VARCHAR(36))"
    bind.connection.driver_connection.create_function(
        "gen_random_uuid", 0, lambda: str(uuid.uuid4())
    )
    return "gen_random_uuid()"


def _without_supporter_expression_index(bind, alterations):
    """SQLite's batch mode reflects the supporter table (a foreign key's target) and warns
    that it cannot reflect this expression index, so the index steps aside meanwhile."""
    if bind.dialect.name != "sqlite":
        alterations()
        return
    op.drop_index("ix_supporter_group_email_lower", table_name="supporter")
    alterations()
    op.create_index(
        "ix_supporter_group_email_lower", "supporter", ["group_id", sa.text("lower(email)")]
    )


def upgrade():
    bind = op.get_bind()
    new_uuid = _new_uuid_sql(bind)
    _without_supporter_expression_index(bind, lambda: _add_public_ids(new_uuid))
    _add_plain_columns()
    _create_api_tables()
    _create_partner_tables()


def _add_public_ids(new_uuid):
    for table in PUBLIC_ID_TABLES:
        op.add_column(table, sa.Column("public_id", sa.String(36), nullable=True))
        op.execute(f"UPDATE {table} SET public_id = {new_uuid}")  # noqa: S608
    for table in UPDATED_AT_TABLES:
        op.add_column(table, sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        op.execute(f"UPDATE {table} SET updated_at = created_at")  # noqa: S608
    for table in PUBLIC_ID_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("public_id", existing_type=sa.String(36), nullable=False)
            batch_op.create_unique_constraint(op.f(f"uq_{table}_public_id"), ["public_id"])
            if table in UPDATED_AT_TABLES:
                batch_op.alter_column(
                    "updated_at", existing_type=sa.DateTime(timezone=True), nullable=False
                )


def _add_plain_columns():
    for table in ("signature", "event_rsvp"):
        op.add_column(table, sa.Column("source", sa.String(32), nullable=True))
    op.create_index(
        "ix_signature_campaign_source", "signature", ["campaign_id", "source", "status"]
    )
    op.create_index("ix_signature_campaign_updated", "signature", ["campaign_id", "updated_at"])
    op.add_column(
        "supporter", sa.Column("custom_fields", sa.JSON(), nullable=False, server_default="{}")
    )
    op.create_index(
        "ix_supporter_group_listed", "supporter", ["group_id", "id"],
        postgresql_where=sa.text("erased_at IS NULL"), sqlite_where=sa.text("erased_at IS NULL"),
    )  # fmt: skip
    op.create_index("ix_supporter_group_updated", "supporter", ["group_id", "updated_at"])
    with op.batch_alter_table("campaign") as batch_op:
        batch_op.add_column(
            sa.Column("embed_anywhere", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("embed_origins", sa.JSON(), nullable=False, server_default="[]")
        )


def _create_api_tables():
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("token_prefix", sa.String(12), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["campaign_group.id"],
            name=op.f("fk_api_token_group_id_campaign_group"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
            name=op.f("fk_api_token_created_by_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )  # fmt: skip
    op.create_index(op.f("ix_api_token_group_id"), "api_token", ["group_id"])
    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(36), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["campaign_group.id"],
            name=op.f("fk_webhook_subscription_group_id_campaign_group"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
            name=op.f("fk_webhook_subscription_created_by_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscription")),
        sa.UniqueConstraint("public_id", name=op.f("uq_webhook_subscription_public_id")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_webhook_subscription_group_id"), "webhook_subscription", ["group_id"]
    )
    status = sa.Enum("pending", "delivered", "abandoned", name="webhook_delivery_status")
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(36), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("dedupe_key", sa.String(120), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", status, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["subscription_id"], ["webhook_subscription.id"],
            name=op.f("fk_webhook_delivery_subscription_id_webhook_subscription"),
            ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
        sa.UniqueConstraint("public_id", name=op.f("uq_webhook_delivery_public_id")),
        sa.UniqueConstraint("subscription_id", "dedupe_key",
            name=op.f("uq_webhook_delivery_subscription_id_dedupe_key")),
    )  # fmt: skip
    op.create_index(
        "ix_webhook_delivery_status_next", "webhook_delivery", ["status", "next_attempt_at"]
    )
    op.create_index(
        "ix_webhook_delivery_subscription_created",
        "webhook_delivery",
        ["subscription_id", "created_at"],
    )


def _create_partner_tables():
    status = sa.Enum("invited", "active", "declined", "left", name="partner_status")
    op.create_table(
        "campaign_partner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(36), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("source_code", sa.String(32), nullable=False),
        sa.Column("status", status, nullable=False),
        sa.Column("consent_text_version", sa.String(32), nullable=False),
        sa.Column("origin", sa.String(255), nullable=True),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_mime", sa.String(32), nullable=True),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"],
            name=op.f("fk_campaign_partner_campaign_id_campaign"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["group_id"], ["campaign_group.id"],
            name=op.f("fk_campaign_partner_group_id_campaign_group"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["invited_by_id"], ["user_account.id"],
            name=op.f("fk_campaign_partner_invited_by_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_partner")),
        sa.UniqueConstraint("public_id", name=op.f("uq_campaign_partner_public_id")),
        sa.UniqueConstraint("campaign_id", "group_id",
            name=op.f("uq_campaign_partner_campaign_id_group_id")),
        sa.UniqueConstraint("campaign_id", "source_code",
            name=op.f("uq_campaign_partner_campaign_id_source_code")),
    )  # fmt: skip
    op.create_index(op.f("ix_campaign_partner_group_id"), "campaign_partner", ["group_id"])
    op.create_table(
        "campaign_source_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"],
            name=op.f("fk_campaign_source_code_campaign_id_campaign"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_source_code")),
        sa.UniqueConstraint("campaign_id", "code",
            name=op.f("uq_campaign_source_code_campaign_id_code")),
    )  # fmt: skip


def downgrade():
    bind = op.get_bind()
    op.drop_table("campaign_source_code")
    op.drop_table("campaign_partner")
    op.drop_table("webhook_delivery")
    op.drop_table("webhook_subscription")
    op.drop_table("api_token")
    if bind.dialect.name == "postgresql":
        op.execute("DROP TYPE IF EXISTS partner_status")
        op.execute("DROP TYPE IF EXISTS webhook_delivery_status")
    with op.batch_alter_table("campaign") as batch_op:
        batch_op.drop_column("embed_origins")
        batch_op.drop_column("embed_anywhere")
    op.drop_index("ix_supporter_group_updated", table_name="supporter")
    op.drop_index("ix_supporter_group_listed", table_name="supporter")
    op.drop_column("supporter", "custom_fields")
    op.drop_index("ix_signature_campaign_updated", table_name="signature")
    op.drop_index("ix_signature_campaign_source", table_name="signature")
    _without_supporter_expression_index(bind, _drop_public_ids)


def _drop_public_ids():
    for table in PUBLIC_ID_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(op.f(f"uq_{table}_public_id"), type_="unique")
            batch_op.drop_column("public_id")
            if table in UPDATED_AT_TABLES:
                batch_op.drop_column("updated_at")
            if table in ("signature", "event_rsvp"):
                batch_op.drop_column("source")
