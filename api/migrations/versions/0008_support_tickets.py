"""Support tickets: conversations the assistant hands to a person, with the transcript.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 14:23:05.746068
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.core.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "support_tickets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "asked_for_human",
                "not_understood",
                "complaint",
                "technical_problem",
                name="handoff_reason",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("open", "closed", name="ticket_status", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("transcript", sa.JSON(), nullable=False),
        sa.Column("created_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_support_tickets_patient_id_patients"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_tickets")),
    )
    with op.batch_alter_table("support_tickets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_tickets_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_support_tickets_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            "uq_support_tickets_open_conversation",
            ["conversation_id"],
            unique=True,
            postgresql_where=sa.text("status = 'open'"),
            sqlite_where=sa.text("status = 'open'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("support_tickets", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_support_tickets_open_conversation",
            postgresql_where=sa.text("status = 'open'"),
            sqlite_where=sa.text("status = 'open'"),
        )
        batch_op.drop_index(batch_op.f("ix_support_tickets_patient_id"))
        batch_op.drop_index(batch_op.f("ix_support_tickets_conversation_id"))

    op.drop_table("support_tickets")
