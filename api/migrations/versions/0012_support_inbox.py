"""Support inbox: who holds a ticket, hand-back and closing, safety flags, staff replies.

Revision ID: 0012_support_inbox
Revises: 0011_audit_purpose
Create Date: 2026-12-03 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.core.db

revision: str = "0012_support_inbox"
down_revision: str | None = "0011_audit_purpose"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = sa.text("status = 'open'")
_LIVE = sa.text("status IN ('open', 'held')")


def upgrade() -> None:
    with op.batch_alter_table("support_tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_by_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("held_at", api.core.db.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("handed_back_at", api.core.db.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("closed_at", api.core.db.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("closed_by_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "safety_flag",
                sa.Enum("urgent", "emergency", name="safety_flag", native_enum=False, length=32),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("flagged_at", api.core.db.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("reply_number", sa.String(length=16), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_support_tickets_held_by_id_support_agents"),
            "support_agents",
            ["held_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_support_tickets_closed_by_id_support_agents"),
            "support_agents",
            ["closed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_support_tickets_held_by_id"), ["held_by_id"], unique=False
        )
        # A held ticket is as live as an open one: still one per conversation.
        batch_op.drop_index(
            "uq_support_tickets_open_conversation", postgresql_where=_OPEN, sqlite_where=_OPEN
        )
        batch_op.create_index(
            "uq_support_tickets_live_conversation",
            ["conversation_id"],
            unique=True,
            postgresql_where=_LIVE,
            sqlite_where=_LIVE,
        )

    op.create_table(
        "support_replies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.String(length=1600), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column(
            "delivery",
            sa.Enum(
                "chat",
                "sms_sent",
                "sms_not_sent",
                name="reply_delivery",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("delivery_detail", sa.String(length=60), nullable=True),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("created_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["support_agents.id"],
            name=op.f("fk_support_replies_agent_id_support_agents"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["support_tickets.id"],
            name=op.f("fk_support_replies_ticket_id_support_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_replies")),
        sa.UniqueConstraint(
            "ticket_id",
            "idempotency_key",
            name=op.f("uq_support_replies_ticket_id_idempotency_key"),
        ),
    )
    with op.batch_alter_table("support_replies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_replies_ticket_id"), ["ticket_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("support_replies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_replies_ticket_id"))

    op.drop_table("support_replies")
    # Held tickets go back to open (the earlier schema knows no other live state).
    op.execute("UPDATE support_tickets SET status = 'open' WHERE status = 'held'")
    with op.batch_alter_table("support_tickets", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_support_tickets_live_conversation", postgresql_where=_LIVE, sqlite_where=_LIVE
        )
        batch_op.create_index(
            "uq_support_tickets_open_conversation",
            ["conversation_id"],
            unique=True,
            postgresql_where=_OPEN,
            sqlite_where=_OPEN,
        )
        batch_op.drop_index(batch_op.f("ix_support_tickets_held_by_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_support_tickets_closed_by_id_support_agents"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_support_tickets_held_by_id_support_agents"), type_="foreignkey"
        )
        batch_op.drop_column("reply_number")
        batch_op.drop_column("flagged_at")
        batch_op.drop_column("safety_flag")
        batch_op.drop_column("closed_by_id")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("handed_back_at")
        batch_op.drop_column("held_at")
        batch_op.drop_column("held_by_id")
