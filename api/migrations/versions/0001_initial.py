"""Patients, guardians, clinicians, support agents and insurance coverage.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 12:21:40.087732
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.core.db

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clinicians",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("national_id", sa.String(length=11), nullable=False),
        sa.Column("hpr_number", sa.String(length=9), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("doctor", "psychologist", name="clinician_kind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinicians")),
        sa.UniqueConstraint("hpr_number", name=op.f("uq_clinicians_hpr_number")),
        sa.UniqueConstraint("national_id", name=op.f("uq_clinicians_national_id")),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("national_id", sa.String(length=11), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("created_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(national_id) = 11", name=op.f("ck_patients_national_id_length")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("national_id", name=op.f("uq_patients_national_id")),
    )
    op.create_table(
        "support_agents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("national_id", sa.String(length=11), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_agents")),
        sa.UniqueConstraint("national_id", name=op.f("uq_support_agents_national_id")),
    )
    op.create_table(
        "guardianships",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("guardian_id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "guardian_id <> child_id", name=op.f("ck_guardianships_not_own_guardian")
        ),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["patients.id"],
            name=op.f("fk_guardianships_child_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["guardian_id"],
            ["patients.id"],
            name=op.f("fk_guardianships_guardian_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guardianships")),
        sa.UniqueConstraint(
            "guardian_id", "child_id", name=op.f("uq_guardianships_guardian_id_child_id")
        ),
    )
    with op.batch_alter_table("guardianships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guardianships_child_id"), ["child_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_guardianships_guardian_id"), ["guardian_id"], unique=False
        )

    op.create_table(
        "insurance_coverages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("insurer", sa.String(length=40), nullable=False),
        sa.Column("policy_number", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("created_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from",
            name=op.f("ck_insurance_coverages_valid_range"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_insurance_coverages_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance_coverages")),
        sa.UniqueConstraint(
            "insurer",
            "policy_number",
            "patient_id",
            name=op.f("uq_insurance_coverages_insurer_policy_number_patient_id"),
        ),
    )
    with op.batch_alter_table("insurance_coverages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_insurance_coverages_patient_id"), ["patient_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("insurance_coverages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_insurance_coverages_patient_id"))

    op.drop_table("insurance_coverages")
    with op.batch_alter_table("guardianships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guardianships_guardian_id"))
        batch_op.drop_index(batch_op.f("ix_guardianships_child_id"))

    op.drop_table("guardianships")
    op.drop_table("support_agents")
    op.drop_table("patients")
    op.drop_table("clinicians")
