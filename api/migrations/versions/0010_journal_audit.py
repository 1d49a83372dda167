"""Journal notes (the only thing a consult keeps) and the access audit log.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 16:50:10.892585
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.core.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("granted", "denied", name="audit_outcome", native_enum=False, length=32),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_events_subject_id"), ["subject_id"], unique=False
        )

    op.create_table(
        "journal_notes",
        sa.Column("appointment_id", sa.Uuid(), nullable=False),
        sa.Column("clinician_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.String(length=4000), nullable=False),
        sa.Column("created_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_journal_notes_appointment_id_appointments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["clinicians.id"],
            name=op.f("fk_journal_notes_clinician_id_clinicians"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("appointment_id", name=op.f("pk_journal_notes")),
    )
    with op.batch_alter_table("journal_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_journal_notes_clinician_id"), ["clinician_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("journal_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journal_notes_clinician_id"))

    op.drop_table("journal_notes")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_subject_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))
        batch_op.drop_index(batch_op.f("ix_audit_events_actor_id"))

    op.drop_table("audit_events")
