"""Shifts, slots and appointments with the double-booking guard.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 12:49:05.309913
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.core.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shifts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinician_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_shifts_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["clinicians.id"],
            name=op.f("fk_shifts_clinician_id_clinicians"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
        sa.UniqueConstraint(
            "clinician_id", "starts_at", name=op.f("uq_shifts_clinician_id_starts_at")
        ),
    )
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shifts_clinician_id"), ["clinician_id"], unique=False)

    op.create_table(
        "slots",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinician_id", sa.Uuid(), nullable=False),
        sa.Column("shift_id", sa.Uuid(), nullable=False),
        sa.Column(
            "service",
            sa.Enum(
                "doctor_consult",
                "psychologist_session",
                "prescription_renewal",
                "new_prescription",
                name="service",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("starts_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_slots_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["clinicians.id"],
            name=op.f("fk_slots_clinician_id_clinicians"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shifts.id"], name=op.f("fk_slots_shift_id_shifts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slots")),
        sa.UniqueConstraint(
            "clinician_id", "starts_at", name=op.f("uq_slots_clinician_id_starts_at")
        ),
    )
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slots_clinician_id"), ["clinician_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_slots_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "appointments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("booked_by_id", sa.Uuid(), nullable=False),
        sa.Column(
            "service",
            sa.Enum(
                "doctor_consult",
                "psychologist_session",
                "prescription_renewal",
                "new_prescription",
                name="service",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "mode",
            sa.Enum("scheduled", "drop_in", name="booking_mode", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "waitlist",
                "booked",
                "arrived",
                "fulfilled",
                "cancelled",
                "noshow",
                "entered-in-error",
                name="appointment_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("slot_id", sa.Uuid(), nullable=True),
        sa.Column("clinician_id", sa.Uuid(), nullable=True),
        sa.Column("starts_at", api.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ends_at", api.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("price_ore", sa.Integer(), nullable=False),
        sa.Column("created_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("queued_at", api.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("started_at", api.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", api.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", api.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=200), nullable=True),
        sa.Column("replaces_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "mode = 'drop_in' OR (slot_id IS NOT NULL AND starts_at IS NOT NULL)",
            name=op.f("ck_appointments_scheduled_has_slot"),
        ),
        sa.CheckConstraint("price_ore >= 0", name=op.f("ck_appointments_price_not_negative")),
        sa.ForeignKeyConstraint(
            ["booked_by_id"],
            ["patients.id"],
            name=op.f("fk_appointments_booked_by_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["clinicians.id"],
            name=op.f("fk_appointments_clinician_id_clinicians"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_appointments_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"],
            ["appointments.id"],
            name=op.f("fk_appointments_replaces_id_appointments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["slots.id"],
            name=op.f("fk_appointments_slot_id_slots"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appointments_clinician_id"), ["clinician_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_appointments_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            "uq_appointments_active_slot",
            ["slot_id"],
            unique=True,
            sqlite_where=sa.text(
                "slot_id IS NOT NULL AND status IN ('booked', 'arrived', 'fulfilled', 'noshow')"
            ),
            postgresql_where=sa.text(
                "slot_id IS NOT NULL AND status IN ('booked', 'arrived', 'fulfilled', 'noshow')"
            ),
        )
        batch_op.create_index(
            "uq_appointments_one_queue_place",
            ["patient_id"],
            unique=True,
            sqlite_where=sa.text("status = 'waitlist'"),
            postgresql_where=sa.text("status = 'waitlist'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_appointments_one_queue_place",
            sqlite_where=sa.text("status = 'waitlist'"),
            postgresql_where=sa.text("status = 'waitlist'"),
        )
        batch_op.drop_index(
            "uq_appointments_active_slot",
            sqlite_where=sa.text(
                "slot_id IS NOT NULL AND status IN ('booked', 'arrived', 'fulfilled', 'noshow')"
            ),
            postgresql_where=sa.text(
                "slot_id IS NOT NULL AND status IN ('booked', 'arrived', 'fulfilled', 'noshow')"
            ),
        )
        batch_op.drop_index(batch_op.f("ix_appointments_patient_id"))
        batch_op.drop_index(batch_op.f("ix_appointments_clinician_id"))

    op.drop_table("appointments")
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slots_starts_at"))
        batch_op.drop_index(batch_op.f("ix_slots_clinician_id"))

    op.drop_table("slots")
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shifts_clinician_id"))

    op.drop_table("shifts")
