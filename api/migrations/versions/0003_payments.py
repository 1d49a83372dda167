"""Orders, the append-only ledger and refund settlements.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 13:02:07.891299
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.core.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("payer_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("list_price_ore", sa.Integer(), nullable=False),
        sa.Column("insurance_cover_ore", sa.Integer(), nullable=False),
        sa.Column("total_ore", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("created_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "total_ore >= 0 AND insurance_cover_ore >= 0 AND total_ore + insurance_cover_ore = list_price_ore",
            name=op.f("ck_orders_amounts_add_up"),
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_orders_appointment_id_appointments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_orders_patient_id_patients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"],
            ["patients.id"],
            name=op.f("fk_orders_payer_id_patients"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("appointment_id", name=op.f("uq_orders_appointment_id")),
        sa.UniqueConstraint("number", name=op.f("uq_orders_number")),
        sa.UniqueConstraint(
            "payer_id", "idempotency_key", name=op.f("uq_orders_payer_id_idempotency_key")
        ),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_orders_payer_id"), ["payer_id"], unique=False)

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "charge",
                "refund",
                "insurance_cover",
                name="ledger_kind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("amount_ore", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.Column("provider_reference", sa.String(length=100), nullable=True),
        sa.Column("created_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_ore > 0", name=op.f("ck_ledger_entries_amount_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_ledger_entries_order_id_orders"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_ledger_entries_idempotency_key")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_entries_order_id"), ["order_id"], unique=False)

    op.create_table(
        "refund_settlements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ledger_entry_id", sa.Uuid(), nullable=False),
        sa.Column("provider_reference", sa.String(length=100), nullable=False),
        sa.Column("settled_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ledger_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_refund_settlements_ledger_entry_id_ledger_entries"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_settlements")),
        sa.UniqueConstraint("ledger_entry_id", name=op.f("uq_refund_settlements_ledger_entry_id")),
    )
    _append_only_ledger()


def downgrade() -> None:
    _drop_append_only_ledger()
    op.drop_table("refund_settlements")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_order_id"))

    op.drop_table("ledger_entries")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_payer_id"))

    op.drop_table("orders")


# The ledger is append-only in the database itself, not only by convention: a bug or a
# hand-written UPDATE cannot rewrite what was charged or refunded.
_MESSAGE = "ledger_entries is append-only"


def _append_only_ledger() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION ledger_entries_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{_MESSAGE}'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries "
            "FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER ledger_entries_no_{event.lower()} BEFORE {event} ON ledger_entries "
                f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
            )


def _drop_append_only_ledger() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ledger_entries_append_only ON ledger_entries")
        op.execute("DROP FUNCTION IF EXISTS ledger_entries_append_only()")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS ledger_entries_no_{event}")
