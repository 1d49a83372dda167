"""The SMS channel's rows.

Phone numbers appear in clear in two places only: the patient's own `patients.phone` (set
when they prove they hold it, erased with their other non-medical data) and a pending
verification (minutes long). Everywhere else a number is its keyed hash (`numbers.py`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UtcDateTime, string_enum, utcnow

HASH_LENGTH = 64  # hex of an HMAC-SHA256
SID_LENGTH = 34  # two letters and 32 hex digits


class InboundStatus(StrEnum):
    PROCESSING = "processing"
    ANSWERED = "answered"
    # The assistant did not answer; a retry of the same MessageSid is processed again.
    FAILED = "failed"
    # Over the number's rate limit: kept, not sent to the assistant.
    RATE_LIMITED = "rate_limited"


class ConsentEvent(StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"


class OutboundStatus(StrEnum):
    # Twilio's own message statuses, as its status callbacks report them...
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    READ = "read"
    CANCELED = "canceled"
    PARTIALLY_DELIVERED = "partially_delivered"
    RECEIVING = "receiving"
    RECEIVED = "received"
    # ...and ours, for messages we decided not to send.
    REFUSED = "refused"


class SmsPhoneLink(Base):
    """A number its patient proved to hold: texts from it act for that patient.

    Valid only while `patients.phone` still hashes to `number_hash`, so erasing the phone
    number (or changing it) ends the link without anything else to remember.
    """

    __tablename__ = "sms_phone_links"

    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    # One patient per number: the latest to prove they hold it wins.
    number_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    verified_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class SmsVerification(Base):
    """A one-time code sent to a number a logged-in patient says is theirs."""

    __tablename__ = "sms_verifications"
    __table_args__ = (Index("ix_sms_verifications_number_created", "number_hash", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    # In clear only until confirmed or superseded: it becomes the patient's phone.
    phone_number: Mapped[str | None] = mapped_column(String(20))
    number_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    code_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # Closed (confirmed, superseded or used up); rows stay to count requests per day.
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class SmsInboundMessage(Base):
    """Every MessageSid we took in: Twilio retries, and a retry must not run twice."""

    __tablename__ = "sms_inbound_messages"

    message_sid: Mapped[str] = mapped_column(String(SID_LENGTH), primary_key=True)
    number_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[InboundStatus] = mapped_column(string_enum(InboundStatus, "sms_inbound_status"))
    # The TwiML we answered, so that a retry after a lost answer gets the same one.
    reply: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class SmsOptOut(Base):
    """Numbers that said STOP (and not START since): nothing is sent to them."""

    __tablename__ = "sms_opt_outs"

    number_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    opted_out_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class SmsConsentRecord(Base):
    """The record of every STOP, START and HELP, kept as proof of what was asked."""

    __tablename__ = "sms_consent_records"
    __table_args__ = (Index("ix_sms_consent_records_number_created", "number_hash", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    number_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    event: Mapped[ConsentEvent] = mapped_column(string_enum(ConsentEvent, "sms_consent_event"))
    # What said so: the keyword the person sent, or Twilio's refusal to deliver (21610).
    source: Mapped[str] = mapped_column(String(32))
    message_sid: Mapped[str | None] = mapped_column(String(SID_LENGTH))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class SmsOutboundMessage(Base):
    """Every message we sent or decided not to send, with its latest delivery status."""

    __tablename__ = "sms_outbound_messages"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Twilio's id; none for a message we refused to send.
    message_sid: Mapped[str | None] = mapped_column(String(SID_LENGTH), unique=True)
    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patients.id", ondelete="SET NULL"), index=True
    )
    notification_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL"), index=True
    )
    number_hash: Mapped[str | None] = mapped_column(String(HASH_LENGTH))
    purpose: Mapped[str] = mapped_column(String(40))  # a notification kind, or "verification"
    status: Mapped[OutboundStatus] = mapped_column(
        string_enum(OutboundStatus, "sms_outbound_status")
    )
    # Why it was refused (opted_out, no_verified_number...), or Twilio's error code.
    reason: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class SmsDeliveryReport(Base):
    """Each status callback Twilio sent for a message, as it came (also for unknown ones)."""

    __tablename__ = "sms_delivery_reports"
    __table_args__ = (UniqueConstraint("message_sid", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    message_sid: Mapped[str] = mapped_column(String(SID_LENGTH), index=True)
    status: Mapped[OutboundStatus] = mapped_column(
        string_enum(OutboundStatus, "sms_delivery_status")
    )
    error_code: Mapped[str | None] = mapped_column(String(16))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class SmsChoiceMemory(Base):
    """The buttons of the assistant's last SMS answer, so that "2" means the second one."""

    __tablename__ = "sms_choice_memories"

    conversation_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    # [{"title": ..., "payload": ...}] in the order they were numbered.
    buttons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
