"""Certificate requests (school absence, travel cancellation) and their decisions.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 13:13:51.450574
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.core.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "certificate_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "issued",
                "refused",
                "cancelled",
                name="certificate_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("education", sa.String(length=30), nullable=True),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("travel_date", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("clinician_id", sa.Uuid(), nullable=True),
        sa.Column("decision_reason", sa.String(length=300), nullable=True),
        sa.Column("created_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", api.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'requested' AND decided_at IS NULL) OR (status <> 'requested' AND decided_at IS NOT NULL)",
            name=op.f("ck_certificate_requests_decided_when_closed"),
        ),
        sa.CheckConstraint(
            "status <> 'issued' OR valid_from IS NOT NULL",
            name=op.f("ck_certificate_requests_issued_has_start"),
        ),
        sa.CheckConstraint(
            "status <> 'refused' OR decision_reason IS NOT NULL",
            name=op.f("ck_certificate_requests_refused_has_reason"),
        ),
        sa.CheckConstraint(
            "days IS NULL OR days BETWEEN 1 AND 31",
            name=op.f("ck_certificate_requests_days_in_range"),
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR (valid_from IS NOT NULL AND valid_to >= valid_from)",
            name=op.f("ck_certificate_requests_valid_period"),
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["clinicians.id"],
            name=op.f("fk_certificate_requests_clinician_id_clinicians"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_certificate_requests_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["patients.id"],
            name=op.f("fk_certificate_requests_requested_by_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_requests")),
    )
    with op.batch_alter_table("certificate_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificate_requests_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            "ix_certificate_requests_pending",
            ["created_at"],
            unique=False,
            sqlite_where=sa.text("status = 'requested'"),
            postgresql_where=sa.text("status = 'requested'"),
        )
        batch_op.create_index(
            "uq_certificate_requests_one_open",
            ["patient_id", "kind"],
            unique=True,
            sqlite_where=sa.text("status = 'requested'"),
            postgresql_where=sa.text("status = 'requested'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("certificate_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_certificate_requests_one_open",
            sqlite_where=sa.text("status = 'requested'"),
            postgresql_where=sa.text("status = 'requested'"),
        )
        batch_op.drop_index(
            "ix_certificate_requests_pending",
            sqlite_where=sa.text("status = 'requested'"),
            postgresql_where=sa.text("status = 'requested'"),
        )
        batch_op.drop_index(batch_op.f("ix_certificate_requests_patient_id"))

    op.drop_table("certificate_requests")
