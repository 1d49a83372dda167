"""Erasure requests and their confirmations; requests for a copy of the data."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UtcDateTime


class ErasureRequest(Base):
    __tablename__ = "erasure_requests"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="RESTRICT"), index=True
    )
    requested_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # The legal deadline; the job erases at its next run, well before.
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # Which categories were erased, and the written confirmation sent to the patient.
    erased: Mapped[str | None] = mapped_column(String(200))
    confirmation: Mapped[str | None] = mapped_column(String(1000))

    __table_args__ = (
        Index(
            "uq_erasure_requests_one_open",
            "patient_id",
            unique=True,
            sqlite_where=text("completed_at IS NULL"),
            postgresql_where=text("completed_at IS NULL"),
        ),
    )


class DataExport(Base):
    """A patient's request for a copy of their data.

    The archive itself is never stored: it is built from the store each time it is
    downloaded, so nothing of it outlives the download. The row says who asked, how, until
    when the copy can be fetched, and when it last was.
    """

    __tablename__ = "data_exports"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="RESTRICT"), index=True
    )
    # "page" (the patient's privacy page) or "assistant" (asked in the conversation).
    requested_via: Mapped[str] = mapped_column(String(20))
    requested_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    downloaded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    downloads: Mapped[int] = mapped_column(Integer, default=0)
