"""Renewal requests and the stored prescription-list extract.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 13:07:04.555312
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.core.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dispensations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("substance", sa.String(length=80), nullable=False),
        sa.Column("dispensed_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_dispensations_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispensations")),
    )
    with op.batch_alter_table("dispensations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dispensations_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "renewal_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=False),
        sa.Column("substance", sa.String(length=80), nullable=False),
        sa.Column("atc", sa.String(length=7), nullable=False),
        sa.Column("medication_text", sa.String(length=200), nullable=False),
        sa.Column("supply_days", sa.Integer(), nullable=False),
        sa.Column("consent_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "approved",
                "refused",
                "consult_requested",
                "cancelled",
                name="renewal_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("due_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("clinician_id", sa.Uuid(), nullable=True),
        sa.Column("decision_reason", sa.String(length=300), nullable=True),
        sa.Column("decided_at", api.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("breach_alerted_at", api.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("supply_days > 0", name=op.f("ck_renewal_requests_supply_positive")),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["clinicians.id"],
            name=op.f("fk_renewal_requests_clinician_id_clinicians"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_renewal_requests_order_id_orders"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_renewal_requests_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["patients.id"],
            name=op.f("fk_renewal_requests_requested_by_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_renewal_requests")),
    )
    with op.batch_alter_table("renewal_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_renewal_requests_due_at"), ["due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_renewal_requests_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            "uq_renewal_requests_one_open",
            ["patient_id"],
            unique=True,
            sqlite_where=sa.text("status = 'requested'"),
            postgresql_where=sa.text("status = 'requested'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("renewal_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_renewal_requests_one_open",
            sqlite_where=sa.text("status = 'requested'"),
            postgresql_where=sa.text("status = 'requested'"),
        )
        batch_op.drop_index(batch_op.f("ix_renewal_requests_patient_id"))
        batch_op.drop_index(batch_op.f("ix_renewal_requests_due_at"))

    op.drop_table("renewal_requests")
    with op.batch_alter_table("dispensations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispensations_patient_id"))

    op.drop_table("dispensations")
