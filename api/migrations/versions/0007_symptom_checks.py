"""Symptom checks: the answers and their triage, a handoff for the treating clinician.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 14:15:06.541849
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.core.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "symptom_checks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("subject_patient_id", sa.Uuid(), nullable=True),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "self_care",
                "video_consult",
                "urgent",
                "emergency",
                name="triage_level",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("red_flags", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "subject_patient_id IS NULL OR subject_patient_id <> patient_id",
            name=op.f("ck_symptom_checks_subject_is_someone_else"),
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_symptom_checks_appointment_id_appointments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_symptom_checks_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_patient_id"],
            ["patients.id"],
            name=op.f("fk_symptom_checks_subject_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_symptom_checks")),
    )
    with op.batch_alter_table("symptom_checks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_symptom_checks_appointment_id"), ["appointment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_symptom_checks_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_symptom_checks_subject_patient_id"),
            ["subject_patient_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("symptom_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_symptom_checks_subject_patient_id"))
        batch_op.drop_index(batch_op.f("ix_symptom_checks_patient_id"))
        batch_op.drop_index(batch_op.f("ix_symptom_checks_appointment_id"))

    op.drop_table("symptom_checks")
