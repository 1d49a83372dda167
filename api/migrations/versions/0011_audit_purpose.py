"""Audit rows name the patient whose data was read and why; the assistant has no row id,
and a refused list read no subject.

Revision ID: 0011_audit_purpose
Revises: 0010
Create Date: 2026-12-09 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# 0010's revision id is "0010" (its file stem is 0010_journal_audit).
revision: str = "0011_audit_purpose"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("patient_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("purpose", sa.String(length=32), nullable=True))
        batch_op.alter_column("actor_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.alter_column("subject_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_audit_events_patient_id"), ["patient_id"], unique=False
        )

    # Rows so far are clinicians' reads of a consult's symptom check: the consult's patient
    # is whose data it was, and only the treating clinician had a purpose.
    op.execute(
        "UPDATE audit_events SET patient_id = ("
        " SELECT appointments.patient_id FROM appointments"
        " WHERE appointments.id = audit_events.subject_id"
        ") WHERE subject_type = 'appointment'"
    )
    op.execute(
        "UPDATE audit_events SET purpose = CASE"
        " WHEN actor_role = 'clinician' THEN 'treating_clinician' ELSE 'none' END"
    )

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        # A non-native enum is a plain VARCHAR(32): only the NOT NULL is new.
        batch_op.alter_column("purpose", existing_type=sa.String(length=32), nullable=False)


def downgrade() -> None:
    # Rows without an actor or a subject (the assistant's reads, refused list reads) cannot
    # be kept in the older shape.
    op.execute("DELETE FROM audit_events WHERE actor_id IS NULL OR subject_id IS NULL")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_patient_id"))
        batch_op.alter_column("subject_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.alter_column("actor_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("purpose")
        batch_op.drop_column("patient_id")
