"""Privacy: requests for a copy of the patient's data (the archive itself is never stored).

Revision ID: 0013_privacy
Revises: 0012_support_inbox
Create Date: 2026-12-03 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.core.db

revision: str = "0013_privacy"
down_revision: str | None = "0012_support_inbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_exports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("requested_via", sa.String(length=20), nullable=False),
        sa.Column("requested_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", api.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("downloaded_at", api.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("downloads", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_data_exports_patient_id_patients"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_exports")),
    )
    with op.batch_alter_table("data_exports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_data_exports_patient_id"), ["patient_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("data_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_exports_patient_id"))

    op.drop_table("data_exports")
