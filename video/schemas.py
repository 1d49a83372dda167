"""Request and response bodies of the video routes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from video.join_tokens import JoinRole

# A browser's offer with audio and video is a few kB; anything far larger is not an offer.
MAX_SDP_CHARS = 20_000


class IceServerOut(BaseModel):
    urls: list[str]
    username: str | None = None
    credential: str | None = None


class JoinTokenOut(BaseModel):
    token: str
    room_id: uuid.UUID
    role: JoinRole
    expires_at: dt.datetime
    ice_servers: list[IceServerOut]


class JoinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=2000)
    role: JoinRole
    type: Literal["offer"]
    sdp: str = Field(min_length=10, max_length=MAX_SDP_CHARS)


class JoinOut(BaseModel):
    type: Literal["answer"] = "answer"
    sdp: str
    participant_key: str
    role: JoinRole
    room: dict[str, Any]


class RoomOut(BaseModel):
    room: dict[str, Any]


class DeviceCheckOut(BaseModel):
    report: dict[str, Any]
