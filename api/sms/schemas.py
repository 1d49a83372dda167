"""Bodies of the SMS routes: Twilio's forms (the fields we read) and the app's own."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.core.text import CleanText
from api.sms.models import OutboundStatus
from api.sms.verification import LinkedPhone

_SID = r"^[A-Z]{2}[0-9a-fA-F]{32}$"


class InboundSmsForm(BaseModel):
    """Twilio's inbound-message webhook (it sends more fields; these are the ones we use)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    message_sid: str = Field(alias="MessageSid", pattern=r"^(SM|MM)[0-9a-fA-F]{32}$")
    account_sid: str | None = Field(default=None, alias="AccountSid", pattern=_SID)
    sender: str = Field(alias="From", pattern=r"^\+[1-9][0-9]{6,14}$")
    body: str = Field(alias="Body", max_length=64 * 1024)
    # Set when Twilio's Advanced Opt-Out read the message as STOP, START or HELP.
    opt_out_type: str | None = Field(default=None, alias="OptOutType", max_length=16)


class StatusCallbackForm(BaseModel):
    """Twilio's message status callback."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    message_sid: str = Field(alias="MessageSid", pattern=_SID)
    account_sid: str | None = Field(default=None, alias="AccountSid", pattern=_SID)
    status: OutboundStatus = Field(alias="MessageStatus")
    error_code: str | None = Field(default=None, alias="ErrorCode", pattern=r"^\d{1,6}$")

    @field_validator("status")
    @classmethod
    def _twilio_status(cls, value: OutboundStatus) -> OutboundStatus:
        if value is OutboundStatus.REFUSED:
            raise ValueError("not a Twilio status")
        return value

    @field_validator("error_code", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value


class VerificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone_number: CleanText = Field(min_length=1, max_length=32)


class VerificationOut(BaseModel):
    # Masked: the patient typed it; the answer need not show it again in full.
    phone_number: str
    expires_at: dt.datetime


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^\d{6}$")


class LinkedPhoneOut(BaseModel):
    phone_number: str
    verified_at: dt.datetime
    opted_out: bool

    @classmethod
    def of(cls, linked: LinkedPhone) -> LinkedPhoneOut:
        return cls(
            phone_number=linked.number, verified_at=linked.verified_at, opted_out=linked.opted_out
        )
