"""Notifications (each sent once) and erasure requests.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 13:10:42.431132
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.core.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erasure_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("requested_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("due_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", api.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("erased", sa.String(length=200), nullable=True),
        sa.Column("confirmation", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_erasure_requests_patient_id_patients"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_requests")),
    )
    with op.batch_alter_table("erasure_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_erasure_requests_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            "uq_erasure_requests_one_open",
            ["patient_id"],
            unique=True,
            sqlite_where=sa.text("completed_at IS NULL"),
            postgresql_where=sa.text("completed_at IS NULL"),
        )

    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.String(length=1000), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("created_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_notifications_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("kind", "subject_id", name=op.f("uq_notifications_kind_subject_id")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_patient_id"), ["patient_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_patient_id"))

    op.drop_table("notifications")
    with op.batch_alter_table("erasure_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_erasure_requests_one_open",
            sqlite_where=sa.text("completed_at IS NULL"),
            postgresql_where=sa.text("completed_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_erasure_requests_patient_id"))

    op.drop_table("erasure_requests")
