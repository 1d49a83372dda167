"""SMS over Twilio: verified numbers and their codes, processed MessageSids, opt-outs and
consent records, outbound messages and their delivery reports, the last buttons offered.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 17:20:05.072471
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.core.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sms_choice_memories",
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("buttons", sa.JSON(), nullable=False),
        sa.Column("updated_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_sms_choice_memories")),
    )
    op.create_table(
        "sms_consent_records",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "event",
            sa.Enum(
                "opt_out", "opt_in", "help", name="sms_consent_event", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("message_sid", sa.String(length=34), nullable=True),
        sa.Column("created_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_consent_records")),
    )
    with op.batch_alter_table("sms_consent_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sms_consent_records_number_created", ["number_hash", "created_at"], unique=False
        )

    op.create_table(
        "sms_delivery_reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("message_sid", sa.String(length=34), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "accepted",
                "scheduled",
                "queued",
                "sending",
                "sent",
                "delivered",
                "undelivered",
                "failed",
                "read",
                "canceled",
                "partially_delivered",
                "receiving",
                "received",
                "refused",
                name="sms_delivery_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("error_code", sa.String(length=16), nullable=True),
        sa.Column("received_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_delivery_reports")),
        sa.UniqueConstraint(
            "message_sid", "status", name=op.f("uq_sms_delivery_reports_message_sid_status")
        ),
    )
    with op.batch_alter_table("sms_delivery_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sms_delivery_reports_message_sid"), ["message_sid"], unique=False
        )

    op.create_table(
        "sms_inbound_messages",
        sa.Column("message_sid", sa.String(length=34), nullable=False),
        sa.Column("number_hash", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "processing",
                "answered",
                "failed",
                "rate_limited",
                name="sms_inbound_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("received_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", api.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("message_sid", name=op.f("pk_sms_inbound_messages")),
    )
    with op.batch_alter_table("sms_inbound_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sms_inbound_messages_number_hash"), ["number_hash"], unique=False
        )

    op.create_table(
        "sms_opt_outs",
        sa.Column("number_hash", sa.String(length=64), nullable=False),
        sa.Column("opted_out_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number_hash", name=op.f("pk_sms_opt_outs")),
    )
    op.create_table(
        "sms_phone_links",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("number_hash", sa.String(length=64), nullable=False),
        sa.Column("verified_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_sms_phone_links_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_sms_phone_links")),
        sa.UniqueConstraint("number_hash", name=op.f("uq_sms_phone_links_number_hash")),
    )
    op.create_table(
        "sms_verifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("phone_number", sa.String(length=20), nullable=True),
        sa.Column("number_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", api.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", api.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_sms_verifications_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_verifications")),
    )
    with op.batch_alter_table("sms_verifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sms_verifications_number_created", ["number_hash", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sms_verifications_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "sms_outbound_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("message_sid", sa.String(length=34), nullable=True),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("notification_id", sa.Uuid(), nullable=True),
        sa.Column("number_hash", sa.String(length=64), nullable=True),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "accepted",
                "scheduled",
                "queued",
                "sending",
                "sent",
                "delivered",
                "undelivered",
                "failed",
                "read",
                "canceled",
                "partially_delivered",
                "receiving",
                "received",
                "refused",
                name="sms_outbound_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("created_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_sms_outbound_messages_notification_id_notifications"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_sms_outbound_messages_patient_id_patients"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_outbound_messages")),
        sa.UniqueConstraint("message_sid", name=op.f("uq_sms_outbound_messages_message_sid")),
    )
    with op.batch_alter_table("sms_outbound_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sms_outbound_messages_notification_id"),
            ["notification_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_sms_outbound_messages_patient_id"), ["patient_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sms_outbound_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_outbound_messages_patient_id"))
        batch_op.drop_index(batch_op.f("ix_sms_outbound_messages_notification_id"))

    op.drop_table("sms_outbound_messages")
    with op.batch_alter_table("sms_verifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_verifications_patient_id"))
        batch_op.drop_index("ix_sms_verifications_number_created")

    op.drop_table("sms_verifications")
    op.drop_table("sms_phone_links")
    op.drop_table("sms_opt_outs")
    with op.batch_alter_table("sms_inbound_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_inbound_messages_number_hash"))

    op.drop_table("sms_inbound_messages")
    with op.batch_alter_table("sms_delivery_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_delivery_reports_message_sid"))

    op.drop_table("sms_delivery_reports")
    with op.batch_alter_table("sms_consent_records", schema=None) as batch_op:
        batch_op.drop_index("ix_sms_consent_records_number_created")

    op.drop_table("sms_consent_records")
    op.drop_table("sms_choice_memories")
