"""groups, supporters, mailings and the suppression list

Every existing campaign gets a group named after it, owned by the campaign's owners.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _status(name, *values):
    return sa.Enum(*values, name=name)


def upgrade():
    op.create_table(
        "campaign_group",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("postal_address", sa.Text(), nullable=False, server_default=""),
        sa.Column("settings", sa.JSON(), nullable=False, server_default="{}"),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_group")),
        sa.UniqueConstraint("slug", name=op.f("uq_campaign_group_slug")),
    )
    op.create_table(
        "group_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", _status("group_role", "owner", "organizer", "viewer"), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["campaign_group.id"],
            name=op.f("fk_group_membership_group_id_campaign_group"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_group_membership_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_membership")),
        sa.UniqueConstraint(
            "group_id", "user_id", name=op.f("uq_group_membership_group_id_user_id")
        ),
    )  # fmt: skip
    op.create_index(op.f("ix_group_membership_user_id"), "group_membership", ["user_id"])
    _give_each_campaign_a_group()

    op.create_table(
        "supporter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(36), nullable=False),
        sa.Column("canonical_email", sa.String(320), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("postal_code", sa.String(16), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column(
            "status",
            _status("supporter_status", "subscribed", "unsubscribed", "bouncing", "complained"),
            nullable=False,
        ),
        sa.Column("soft_bounces", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("last_action_at", TZ, nullable=False),
        sa.Column("erased_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"], ["campaign_group.id"],
            name=op.f("fk_supporter_group_id_campaign_group"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supporter")),
        sa.UniqueConstraint("public_id", name=op.f("uq_supporter_public_id")),
        sa.UniqueConstraint(
            "group_id", "canonical_email", name=op.f("uq_supporter_group_id_canonical_email")
        ),
    )  # fmt: skip
    op.create_index("ix_supporter_group_status", "supporter", ["group_id", "status", "id"])
    op.create_index("ix_supporter_group_country", "supporter", ["group_id", "country"])
    op.create_index("ix_supporter_group_language", "supporter", ["group_id", "language"])
    op.create_index("ix_supporter_group_created", "supporter", ["group_id", "created_at"])
    mailable = sa.text("status = 'subscribed' AND erased_at IS NULL")
    op.create_index(
        "ix_supporter_mailable",
        "supporter",
        ["group_id", "country", "language", "created_at", "id"],
        postgresql_where=mailable,
        sqlite_where=mailable,
    )
    op.create_index(
        "ix_supporter_mailable_id",
        "supporter",
        ["group_id", "id"],
        postgresql_include=["country", "language", "created_at"],
        postgresql_where=mailable,
        sqlite_where=mailable,
    )
    op.create_index(op.f("ix_supporter_last_action_at"), "supporter", ["last_action_at"])
    op.create_table(
        "supporter_consent_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supporter_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("source_type", sa.String(32), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("text_version", sa.String(64), nullable=True),
        sa.Column("at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["supporter_id"], ["supporter.id"],
            name=op.f("fk_supporter_consent_event_supporter_id_supporter"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supporter_consent_event")),
    )  # fmt: skip
    op.create_index(
        "ix_supporter_consent_event_supporter", "supporter_consent_event", ["supporter_id", "at"]
    )
    op.create_table(
        "supporter_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["campaign_group.id"],
            name=op.f("fk_supporter_tag_group_id_campaign_group"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supporter_tag")),
        sa.UniqueConstraint("group_id", "name", name=op.f("uq_supporter_tag_group_id_name")),
    )  # fmt: skip
    op.create_table(
        "supporter_tagging",
        sa.Column("supporter_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["supporter_id"], ["supporter.id"],
            name=op.f("fk_supporter_tagging_supporter_id_supporter"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["supporter_tag.id"],
            name=op.f("fk_supporter_tagging_tag_id_supporter_tag"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("supporter_id", "tag_id", name=op.f("pk_supporter_tagging")),
    )  # fmt: skip
    op.create_index("ix_supporter_tagging_tag", "supporter_tagging", ["tag_id", "supporter_id"])
    op.create_table(
        "erased_supporter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("email_hmac", sa.String(64), nullable=False),
        sa.Column("erased_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["campaign_group.id"],
            name=op.f("fk_erased_supporter_group_id_campaign_group"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erased_supporter")),
        sa.UniqueConstraint(
            "group_id", "email_hmac", name=op.f("uq_erased_supporter_group_id_email_hmac")
        ),
    )  # fmt: skip
    for table in ("signature", "pledge_commitment", "event_rsvp"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("supporter_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                op.f(f"fk_{table}_supporter_id_supporter"), "supporter", ["supporter_id"], ["id"],
                ondelete="SET NULL",
            )  # fmt: skip
            batch_op.create_index(op.f(f"ix_{table}_supporter_id"), ["supporter_id"])
    op.create_index(
        "ix_signature_campaign_supporter", "signature", ["campaign_id", "status", "supporter_id"]
    )
    # After the batch alterations: SQLite's batch mode reflects the supporter table (their
    # new foreign key points at it) and warns on an expression index it cannot reflect.
    op.create_index(
        "ix_supporter_group_email_lower", "supporter", ["group_id", sa.text("lower(email)")]
    )  # fmt: skip

    op.create_table(
        "mail_suppression",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column(
            "reason",
            _status("suppression_reason", "hard_bounce", "soft_bounces", "complaint", "manual"),
            nullable=False,
        ),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["campaign_group.id"],
            name=op.f("fk_mail_suppression_group_id_campaign_group"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_suppression")),
        sa.UniqueConstraint("email", "group_id", name=op.f("uq_mail_suppression_email_group_id")),
    )  # fmt: skip
    op.create_index("ix_mail_suppression_email", "mail_suppression", ["email"])

    op.create_table(
        "mailing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("from_name", sa.String(120), nullable=False),
        sa.Column("reply_to", sa.String(320), nullable=True),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            _status(
                "mailing_status", "draft", "scheduled", "sending", "paused", "sent", "cancelled"
            ),
            nullable=False,
        ),
        sa.Column("scheduled_at", TZ, nullable=True),
        sa.Column("hourly_cap", sa.Integer(), nullable=True),
        sa.Column("expanded_through_id", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("expanded_at", TZ, nullable=True),
        sa.Column("recipient_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("archive_public", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("archive_id", sa.String(32), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("started_at", TZ, nullable=True),
        sa.Column("finished_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"], ["campaign_group.id"],
            name=op.f("fk_mailing_group_id_campaign_group"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"],
            name=op.f("fk_mailing_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailing")),
        sa.UniqueConstraint("archive_id", name=op.f("uq_mailing_archive_id")),
    )  # fmt: skip
    op.create_index(op.f("ix_mailing_group_id"), "mailing", ["group_id"])
    op.create_index("ix_mailing_status_scheduled", "mailing", ["status", "scheduled_at"])
    op.create_table(
        "mailing_content",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailing_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body_markdown", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mailing_id"], ["mailing.id"],
            name=op.f("fk_mailing_content_mailing_id_mailing"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailing_content")),
        sa.UniqueConstraint(
            "mailing_id", "language", name=op.f("uq_mailing_content_mailing_id_language")
        ),
    )  # fmt: skip
    op.create_table(
        "mailing_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailing_id", sa.Integer(), nullable=False),
        sa.Column("supporter_id", sa.Integer(), nullable=False),
        sa.Column("email_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            _status(
                "mailing_recipient_status",
                "queued", "sent", "failed", "bounced", "complained", "cancelled",
            ),
            nullable=False,
        ),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("unsubscribed_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(
            ["mailing_id"], ["mailing.id"],
            name=op.f("fk_mailing_recipient_mailing_id_mailing"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supporter_id"], ["supporter.id"],
            name=op.f("fk_mailing_recipient_supporter_id_supporter"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["email_id"], ["outbound_email.id"],
            name=op.f("fk_mailing_recipient_email_id_outbound_email"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailing_recipient")),
        sa.UniqueConstraint(
            "mailing_id", "supporter_id", name=op.f("uq_mailing_recipient_mailing_id_supporter_id")
        ),
    )  # fmt: skip
    op.create_index(op.f("ix_mailing_recipient_email_id"), "mailing_recipient", ["email_id"])
    op.create_index(
        "ix_mailing_recipient_supporter", "mailing_recipient", ["supporter_id", "mailing_id"]
    )
    op.create_index(
        "ix_mailing_recipient_mailing_status",
        "mailing_recipient",
        ["mailing_id", "status", "supporter_id"],
    )


def _give_each_campaign_a_group():
    """One group per campaign, named after it and owned by its owners."""
    conn = op.get_bind()
    with op.batch_alter_table("campaign") as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
    # Typed columns: SQLite hands back a timestamp as text, which a DateTime insert refuses.
    campaigns = conn.execute(
        sa.text("SELECT id, slug, title, created_at FROM campaign ORDER BY id").columns(
            sa.column("id", sa.Integer), sa.column("slug", sa.String),
            sa.column("title", sa.String), sa.column("created_at", TZ),
        )
    ).all()  # fmt: skip
    group = sa.table(
        "campaign_group",
        sa.column("id", sa.Integer), sa.column("slug", sa.String), sa.column("name", sa.String),
        sa.column("description", sa.Text), sa.column("postal_address", sa.Text),
        sa.column("settings", sa.JSON), sa.column("created_at", TZ), sa.column("updated_at", TZ),
    )  # fmt: skip
    for campaign in campaigns:
        group_id = conn.execute(
            sa.insert(group)
            .values(
                slug=campaign.slug[:80], name=campaign.title or campaign.slug, description="",
                postal_address="", settings={}, created_at=campaign.created_at,
                updated_at=campaign.created_at,
            )
            .returning(group.c.id)
        ).scalar_one()  # fmt: skip
        conn.execute(
            sa.text("UPDATE campaign SET group_id = :g WHERE id = :c"),
            {"g": group_id, "c": campaign.id},
        )
        conn.execute(
            sa.text(
                "INSERT INTO group_membership (group_id, user_id, role, created_at) "
                "SELECT :g, user_id, 'owner', created_at FROM campaign_membership "
                "WHERE campaign_id = :c AND role = 'owner'"
            ),
            {"g": group_id, "c": campaign.id},
        )
    with op.batch_alter_table("campaign") as batch_op:
        batch_op.alter_column("group_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            op.f("fk_campaign_group_id_campaign_group"), "campaign_group", ["group_id"], ["id"]
        )
        batch_op.create_index(op.f("ix_campaign_group_id"), ["group_id"])


def downgrade():
    # First, for the reason the upgrade creates it last.
    op.drop_index("ix_supporter_group_email_lower", table_name="supporter")
    op.drop_index("ix_signature_campaign_supporter", table_name="signature")
    for name in ("mailing_recipient", "mailing_content", "mailing", "mail_suppression"):
        op.drop_table(name)
    for table in ("signature", "pledge_commitment", "event_rsvp"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_index(op.f(f"ix_{table}_supporter_id"))
            batch_op.drop_constraint(op.f(f"fk_{table}_supporter_id_supporter"), type_="foreignkey")
            batch_op.drop_column("supporter_id")
    for name in (
        "erased_supporter", "supporter_tagging", "supporter_tag", "supporter_consent_event",
        "supporter",
    ):  # fmt: skip
        op.drop_table(name)
    with op.batch_alter_table("campaign") as batch_op:
        batch_op.drop_index(op.f("ix_campaign_group_id"))
        batch_op.drop_constraint(op.f("fk_campaign_group_id_campaign_group"), type_="foreignkey")
        batch_op.drop_column("group_id")
    op.drop_table("group_membership")
    op.drop_table("campaign_group")
    bind = op.get_bind()
    for enum_name in (
        "mailing_recipient_status", "mailing_status", "suppression_reason", "supporter_status",
        "group_role",
    ):  # fmt: skip
        sa.Enum(name=enum_name).drop(bind, checkfirst=True)
